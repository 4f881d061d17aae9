namespace Resilience.Tests.Predicates;

public class OutcomePredicateTests
{
    [Fact]
    public void Rule_ExtendedAfterAPipelineWasBuiltWithIt_ThrowsInsteadOfBeingIgnored()
    {
        var rule = Handle.Exception<IOException>();
        _ = new ResiliencePipelineBuilder().AddRetry(new Resilience.Retry.RetryStrategyOptions { ShouldHandle = rule }).Build();

        var act = () => rule.OrResult(static r => r is null);

        act.Should().Throw<InvalidOperationException>().WithMessage("*built*");
        rule.HandlesResults.Should().BeFalse();
    }

    [Fact]
    public async Task Rule_ExtendedAfterAddButBeforeBuild_IsHonoured()
    {
        var rule = Handle<int>.Exception<IOException>();
        var builder = new ResiliencePipelineBuilder<int>().AddRetry(new Resilience.Retry.RetryStrategyOptions<int> { ShouldHandle = rule, BaseDelay = TimeSpan.Zero });
        rule.OrResult(static r => r < 0);
        var pipeline = builder.Build();
        var calls = 0;

        (await pipeline.ExecuteAsync(_ => new ValueTask<int>(++calls < 2 ? -1 : calls))).Should().Be(2, "the rule is frozen when the pipeline is built, with every part added until then");
    }

    [Fact]
    public void Exception_MatchesTypeAndDerivedTypes()
    {
        Func<Outcome<object>, bool> predicate = Handle.Exception<IOException>();

        predicate(Outcome.FromException<object>(new IOException())).Should().BeTrue();
        predicate(Outcome.FromException<object>(new FileNotFoundException())).Should().BeTrue();
        predicate(Outcome.FromException<object>(new InvalidOperationException())).Should().BeFalse();
        predicate(Outcome.FromResult<object>("ok")).Should().BeFalse();
    }

    [Fact]
    public void Or_WithFilter_MatchesOnlyFilteredExceptions()
    {
        Func<Outcome<object>, bool> predicate = Handle.Exception<TimeoutException>()
            .Or<HttpRequestException>(ex => ex.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable);

        predicate(Outcome.FromException<object>(new TimeoutException())).Should().BeTrue();
        predicate(Outcome.FromException<object>(new HttpRequestException("x", null, System.Net.HttpStatusCode.ServiceUnavailable))).Should().BeTrue();
        predicate(Outcome.FromException<object>(new HttpRequestException("x", null, System.Net.HttpStatusCode.NotFound))).Should().BeFalse();
    }

    [Fact]
    public void OrResult_MatchesResultsAndReportsThatItInspectsThem()
    {
        var rule = Handle<int>.Exception<TimeoutException>().OrResult(r => r >= 500);
        Func<Outcome<int>, bool> predicate = rule;

        rule.HandlesResults.Should().BeTrue();
        predicate(Outcome.FromResult(503)).Should().BeTrue();
        predicate(Outcome.FromResult(200)).Should().BeFalse();
        predicate(Outcome.FromException<int>(new TimeoutException())).Should().BeTrue();
    }

    [Fact]
    public void Result_StartsWithResultRule()
    {
        Func<Outcome<object>, bool> predicate = Handle.Result(r => r is null || Equals(r, "retry"));

        predicate(Outcome.FromResult<object>("retry")).Should().BeTrue();
        predicate(Outcome.FromResult<object>("done")).Should().BeFalse();
        Handle.Exception<IOException>().HandlesResults.Should().BeFalse();
    }

    [Fact]
    public void Or_NullFilter_Throws()
    {
        var act = () => Handle.Exception<IOException>().Or<TimeoutException>(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Outcome_GetResultOrRethrow_RethrowsOriginalException()
    {
        var original = new InvalidOperationException("boom");
        var outcome = Outcome.FromException<int>(original);

        var act = () => outcome.GetResultOrRethrow();

        act.Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(original);
        outcome.ToString().Should().Be("boom");
        Outcome.FromResult(5).ToString().Should().Be("5");
    }
}
