using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

/// <summary>Typed context properties, Polly's <c>ResiliencePropertyKey&lt;T&gt;</c> shape (issue 25, API shapes).</summary>
public class ResiliencePropertyKeyTests
{
    private static readonly ResiliencePropertyKey<string> Tenant = new("tenant");
    private static readonly ResiliencePropertyKey<int> Attempt = new("attempt");

    [Fact]
    public void SetThenTryGetValue_ReturnsTheTypedValue()
    {
        var context = ResilienceContextPool.Shared.Get();

        context.Properties.Set(Tenant, "a");
        context.Properties.Set(Attempt, 3);

        context.Properties.TryGetValue(Tenant, out var tenant).Should().BeTrue();
        tenant.Should().Be("a");
        context.Properties.GetValue(Attempt, -1).Should().Be(3);
        context.Properties["tenant"].Should().Be("a", "a typed key is its string key underneath, so both styles interoperate");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void TryGetValue_MissingOrOfAnotherType_ReturnsFalse()
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties["attempt"] = "not a number";

        context.Properties.TryGetValue(Attempt, out _).Should().BeFalse();
        context.Properties.TryGetValue(Tenant, out _).Should().BeFalse();
        context.Properties.GetValue(Attempt, -1).Should().Be(-1);
        context.Properties.GetValue(Tenant, "none").Should().Be("none");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void Key_EqualityAndText()
    {
        var same = new ResiliencePropertyKey<string>("tenant");

        same.Should().Be(Tenant);
        (same == Tenant).Should().BeTrue();
        (same != new ResiliencePropertyKey<string>("other")).Should().BeTrue();
        same.Key.Should().Be("tenant");
        same.ToString().Should().Be("tenant");
    }

    [Fact]
    public void Key_NullName_Throws()
    {
        var act = () => new ResiliencePropertyKey<int>(null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("key");
    }

    [Fact]
    public void TryGetValue_ReadingAStoredValue_AllocatesNothing()
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(Tenant, "a");

        AllocationMeter.BytesPerRun(() => _ = context.Properties.TryGetValue(Tenant, out _)).Should().Be(0);
        AllocationMeter.BytesPerRun(() => context.Properties.Set(Tenant, "b")).Should().Be(0);
        ResilienceContextPool.Shared.Return(context);
    }
}
