using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PollyBaselines;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using PollyPipeline = Polly.ResiliencePipeline;
using PollyPipelineOfInt = Polly.ResiliencePipeline<int>;

namespace Resilience.Benchmarks;

/// <summary>
/// Every strategy alone on the success path with a truly asynchronous callback (<see cref="Task.Yield"/>), ours against
/// Polly's configured alike; each strategy is its own category with Polly as its baseline.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AsyncCallbackBenchmark
{
    private ResiliencePipeline _timeout = null!;
    private ResiliencePipeline _retry = null!;
    private ResiliencePipeline _circuitBreaker = null!;
    private ResiliencePipeline<int> _fallback = null!;
    private ResiliencePipeline _bulkhead = null!;
    private ResiliencePipeline _rateLimiter = null!;
    private ConcurrencyLimiter _limiter = null!;
    private PollyPipeline _pollyTimeout = null!;
    private PollyPipeline _pollyRetry = null!;
    private PollyPipeline _pollyCircuitBreaker = null!;
    private PollyPipelineOfInt _pollyFallback = null!;
    private PollyPipeline _pollyBulkhead = null!;
    private PollyPipeline _pollyRateLimiter = null!;
    private ConcurrencyLimiter _pollyLimiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Each configured like its synchronous counterpart in CoreBenchmark, RetryBenchmark, CircuitBreakerBenchmark,
        // FallbackBenchmark, BulkheadBenchmark and RateLimiterBenchmark.
        _timeout = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(10)).Build();
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.Zero, ShouldHandle = Handle.Exception<InvalidOperationException>() })
            .Build();
        _circuitBreaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 10, ManualControl = new CircuitBreakerManualControl() })
            .Build();
        _fallback = new ResiliencePipelineBuilder<int>().AddFallback(-1).Build();
        _bulkhead = new ResiliencePipelineBuilder().AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = 10, MaxQueueLength = 100 }).Build();
        _limiter = RateLimiterBenchmark.NeverRejecting();
        _rateLimiter = new ResiliencePipelineBuilder().AddRateLimiter(_limiter).Build();

        _pollyTimeout = PollyCorePipelines.Timeout(TimeSpan.FromSeconds(10));
        _pollyRetry = PollyCorePipelines.Retry(3, TimeSpan.Zero);
        _pollyCircuitBreaker = PollyCorePipelines.CircuitBreaker().Pipeline;
        _pollyFallback = PollyCorePipelines.FallbackTo(-1);
        _pollyBulkhead = PollyCorePipelines.ConcurrencyLimiter(10, 100);
        _pollyLimiter = RateLimiterBenchmark.NeverRejecting();
        _pollyRateLimiter = PollyCorePipelines.RateLimited(_pollyLimiter);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiter.Dispose();
        _pollyLimiter.Dispose();
    }

    [Benchmark, BenchmarkCategory("Timeout")]
    public ValueTask<int> Timeout_Resilience() => _timeout.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("Timeout")]
    public ValueTask<int> Timeout_Polly() => _pollyTimeout.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark, BenchmarkCategory("Retry")]
    public ValueTask<int> Retry_Resilience() => _retry.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("Retry")]
    public ValueTask<int> Retry_Polly() => _pollyRetry.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark, BenchmarkCategory("CircuitBreaker")]
    public ValueTask<int> CircuitBreaker_Resilience() => _circuitBreaker.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("CircuitBreaker")]
    public ValueTask<int> CircuitBreaker_Polly() => _pollyCircuitBreaker.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark, BenchmarkCategory("Fallback")]
    public ValueTask<int> Fallback_Resilience() => _fallback.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("Fallback")]
    public ValueTask<int> Fallback_Polly() => _pollyFallback.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark, BenchmarkCategory("Bulkhead")]
    public ValueTask<int> Bulkhead_Resilience() => _bulkhead.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("Bulkhead")]
    public ValueTask<int> Bulkhead_Polly() => _pollyBulkhead.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark, BenchmarkCategory("RateLimiter")]
    public ValueTask<int> RateLimiter_Resilience() => _rateLimiter.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("RateLimiter")]
    public ValueTask<int> RateLimiter_Polly() => _pollyRateLimiter.ExecuteAsync(static (s, ct) => YieldThenReturn(s, ct), 42);

    private static async ValueTask<int> YieldThenReturn(int state, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return state;
    }
}
