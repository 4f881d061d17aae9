using BenchmarkDotNet.Attributes;
using PollyBaselines;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// The standard four-strategy pipeline (total timeout, retry, circuit breaker, attempt timeout) for both libraries:
/// a callback that completes synchronously, and one that is truly asynchronous (<see cref="Task.Yield"/>).
/// </summary>
public class PipelineBenchmark
{
    private ResiliencePipeline _ours = null!;
    private PollyPipeline _polly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ours = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions { ShouldHandle = Handle.Exception<InvalidOperationException>() })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
        _polly = PollyCorePipelines.Standard();
    }

    [Benchmark]
    public ValueTask<int> Sync_Resilience() => _ours.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Sync_Polly() => _polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> Async_Resilience() => _ours.ExecuteAsync(static async (s, _) =>
    {
        await Task.Yield();
        return s;
    }, 42);

    [Benchmark]
    public ValueTask<int> Async_Polly() => _polly.ExecuteAsync(static async (s, _) =>
    {
        await Task.Yield();
        return s;
    }, 42);
}
