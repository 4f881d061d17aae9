namespace Resilience.Tests.Pipeline;

public class ResilienceContextPoolTests
{
    [Fact]
    public void Return_ThenGet_ContextIsReset()
    {
        using var cts = new CancellationTokenSource();
        var context = ResilienceContextPool.Shared.Get("first", cts.Token);
        context.Properties["user"] = 42;
        ResilienceContextPool.Shared.Return(context);

        var next = ResilienceContextPool.Shared.Get();

        next.OperationKey.Should().BeNull();
        next.CancellationToken.Should().Be(CancellationToken.None);
        next.IsSynchronous.Should().BeFalse();
        next.Properties.Should().BeEmpty();
    }

    [Fact]
    public void Return_Null_Throws()
    {
        var act = () => ResilienceContextPool.Shared.Return(null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
