using Resilience.Fallback;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

public class AllocationTests
{
    // A timed call's own cancellation source: one CancellationTokenSource with no timer (48 B on 64-bit). It is not
    // pooled, since a token may outlive its call and a reset source would be cancelled by a later call's timeout
    // (issue 16, Major 3). Everything else on the path, the timer included, is pooled.
    private const long TimedCallSource = 48;

    [Fact]
    public void ExecuteAsync_TimeoutAndFallbackWithStaticCallback_AllocatesOnlyTheCallsCancellationSource()
    {
        var pipeline = CreateTimeoutAndFallback();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().BeLessThanOrEqualTo(TimedCallSource);
    }

    [Fact]
    public void Execute_TimeoutAndFallbackWithStaticCallback_AllocatesOnlyTheCallsCancellationSource()
    {
        var pipeline = CreateTimeoutAndFallback();

        var bytes = AllocationMeter.BytesPerRun(() => pipeline.Execute(static (s, _) => s + 1, 41));

        bytes.Should().BeLessThanOrEqualTo(TimedCallSource);
    }

    [Fact]
    public void ExecuteAsync_GenericPipelineTimeoutAndFallback_AllocatesOnlyTheCallsCancellationSource()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFallback(-1)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().BeLessThanOrEqualTo(TimedCallSource);
    }

    [Fact]
    public void ExecuteAsync_ResultPredicateOnGenericPipeline_AllocatesNothing()
    {
        var options = new FallbackStrategyOptions<int> { ShouldHandle = Handle<int>.Exception<InvalidOperationException>().OrResult(r => r < 0) };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask(0));
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(options).Build();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().Be(0);
    }

    [Fact]
    public void ExecuteAsync_StandardPipelineWithNestedTimeouts_AllocatesOnlyTheTwoCallsCancellationSources()
    {
        // Total timeout, retry, breaker, attempt timeout: the attempt timeout links to the total one instead of
        // registering on its fresh token (which allocated that token's registration list: 240 B per call).
        var pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new Resilience.Retry.RetryStrategyOptions())
            .AddCircuitBreaker(new Resilience.CircuitBreaker.CircuitBreakerStrategyOptions())
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().BeLessThanOrEqualTo(2 * TimedCallSource);
    }

    private static ResiliencePipeline CreateTimeoutAndFallback()
    {
        var fallback = new FallbackStrategyOptions();
        fallback.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask<object>(0));
        return new ResiliencePipelineBuilder()
            .AddFallback(fallback)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }
}
