namespace Resilience.Tests.Predicates;

/// <summary>Polly's <c>HandleInner</c>: a wrapped exception (the direct inner one) is handled (issue 25, API shapes).</summary>
public class HandleInnerTests
{
    [Fact]
    public void InnerException_MatchesTheDirectInnerExceptionOnly()
    {
        Func<Outcome<object>, bool> rule = Handle.InnerException<TimeoutException>();

        rule(Outcome.FromException<object>(new InvalidOperationException("wrapper", new TimeoutException()))).Should().BeTrue();
        rule(Outcome.FromException<object>(new TimeoutException())).Should().BeFalse("as in Polly, HandleInner looks at the inner exception, not the outer one");
        rule(Outcome.FromException<object>(new InvalidOperationException("a", new InvalidOperationException("b", new TimeoutException())))).Should().BeFalse("as in Polly, one level");
        rule(Outcome.FromResult<object>(1)).Should().BeFalse();
    }

    [Fact]
    public void OrInner_WithFilter_CombinesWithOtherRules()
    {
        Func<Outcome<int>, bool> rule = Handle<int>.Exception<ArgumentException>()
            .OrInner<IOException>(e => e.Message == "disk")
            .OrResult(r => r < 0);

        rule(Outcome.FromException<int>(new AggregateException(new IOException("disk")))).Should().BeTrue();
        rule(Outcome.FromException<int>(new AggregateException(new IOException("net")))).Should().BeFalse();
        rule(Outcome.FromException<int>(new ArgumentException())).Should().BeTrue();
        rule(Outcome.FromResult(-1)).Should().BeTrue();
        Handle<int>.InnerException<IOException>(static e => e.Message == "disk")
            .ShouldHandle(Outcome.FromException<int>(new HttpRequestException("x", new IOException("disk")))).Should().BeTrue();
    }

    [Fact]
    public async Task InnerException_UsedByRetry_RetriesTheWrappedFailure()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new Resilience.Retry.RetryStrategyOptions { ShouldHandle = Handle.InnerException<TimeoutException>(), BaseDelay = TimeSpan.Zero })
            .Build();

        var result = await pipeline.ExecuteAsync(_ => ++calls == 1 ? throw new HttpRequestException("wrapped", new TimeoutException()) : new ValueTask<int>(calls));

        result.Should().Be(2);
    }
}
