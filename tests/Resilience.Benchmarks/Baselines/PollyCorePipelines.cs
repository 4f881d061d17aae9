using Polly;
using Polly.Fallback;
using Polly.Retry;
using Polly.CircuitBreaker;
using SystemRateLimiter = System.Threading.RateLimiting.RateLimiter;

// Kept outside the Resilience namespace: both libraries name their builder extensions alike (AddTimeout,
// AddFallback, ...), and inside namespace Resilience our extensions would shadow Polly's.
namespace PollyBaselines;

/// <summary>
/// Polly.Core pipelines configured like ours, for side-by-side benchmarks.
/// </summary>
internal static class PollyCorePipelines
{
    public static ResiliencePipeline Empty() => new ResiliencePipelineBuilder().Build();

    public static ResiliencePipeline Timeout(TimeSpan timeout) => new ResiliencePipelineBuilder().AddTimeout(timeout).Build();

    public static ResiliencePipeline<int> FallbackTo(int value) => new ResiliencePipelineBuilder<int>()
        .AddFallback(new FallbackStrategyOptions<int>
        {
            ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is not null),
            FallbackAction = _ => Outcome.FromResultAsValueTask(value),
        })
        .Build();

    public static ResiliencePipeline Retry(int attempts, TimeSpan delay) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = attempts,
            Delay = delay,
            BackoffType = DelayBackoffType.Exponential,
            ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>(),
        })
        .Build();

    public static (ResiliencePipeline Pipeline, CircuitBreakerManualControl Control) CircuitBreaker()
    {
        var control = new CircuitBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(5),
                ManualControl = control,
            })
            .Build();
        return (pipeline, control);
    }

    public static ResiliencePipeline ConcurrencyLimiter(int permits, int queue) => new ResiliencePipelineBuilder()
        .AddConcurrencyLimiter(permits, queue)
        .Build();

    /// <summary>Polly.RateLimiting's strategy over the given limiter (one permit per call, like ours).</summary>
    public static ResiliencePipeline RateLimited(SystemRateLimiter limiter) => new ResiliencePipelineBuilder()
        .AddRateLimiter(limiter)
        .Build();

    public static ResiliencePipeline Standard() => new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>() })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();

    /// <summary>
    /// The standard pipeline with a chosen retry delay and breaker failure ratio: a failure-then-success workload needs
    /// zero delay, and a ratio of 1.0 so that its 50 % attempt failure rate never opens the circuit.
    /// </summary>
    public static ResiliencePipeline Standard(TimeSpan retryDelay, double failureRatio) => new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions { Delay = retryDelay, ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>() })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = failureRatio })
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();
}
