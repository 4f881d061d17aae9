using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

/// <summary>
/// A task that completes on another thread just before a strategy checks it looks synchronous to that strategy. If
/// it is backed by a pooled source (any <c>async ValueTask</c> method can be), it may be read exactly once: a
/// strategy that reads the result and then hands the same task on breaks the next reader, or another call that
/// reuses the source.
/// </summary>
public class SingleConsumptionTests
{
    public static TheoryData<string> Strategies() => new() { "fallback", "retry", "circuit breaker", "timeout", "bulkhead", "rate limiter", "all of them" };

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task A_completed_pooled_task_is_read_once(string strategy)
    {
        var pipeline = Build(strategy);
        var (task, source) = SingleUseValueTaskSource<Outcome<int>>.Completed(Outcome.FromResult(42));
        var context = ResilienceContextPool.Shared.Get();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, t) => t, context, task);

        ResilienceContextPool.Shared.Return(context);
        outcome.Result.Should().Be(42);
        source.Reads.Should().Be(1);
    }

    private static ResiliencePipeline<int> Build(string strategy)
    {
        var builder = new ResiliencePipelineBuilder<int>();
        if (strategy is "fallback" or "all of them")
        {
            builder.AddFallback(-1);
        }

        if (strategy is "retry" or "all of them")
        {
            builder.AddRetry(new RetryStrategyOptions<int> { BaseDelay = TimeSpan.Zero });
        }

        if (strategy is "circuit breaker" or "all of them")
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<int>());
        }

        if (strategy is "timeout" or "all of them")
        {
            builder.AddTimeout(TimeSpan.FromMinutes(1));
        }

        if (strategy is "bulkhead" or "all of them")
        {
            builder.AddBulkhead(4);
        }

        if (strategy is "rate limiter" or "all of them")
        {
            builder.AddConcurrencyLimiter(4);
        }

        return builder.Build();
    }
}
