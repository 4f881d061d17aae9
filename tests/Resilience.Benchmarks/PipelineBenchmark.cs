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

/// <summary>
/// The four-strategy pipeline on a call that fails once and then succeeds (one retry, zero delay) for both libraries;
/// the breakers' failure ratio is 1.0 so the 50 % attempt failure rate never opens them.
/// </summary>
public class PipelineRetryBenchmark
{
    private ResiliencePipeline _ours = null!;
    private PollyPipeline _polly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ours = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, ShouldHandle = Handle.Exception<InvalidOperationException>() })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 1.0 })
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
        _polly = PollyCorePipelines.Standard(TimeSpan.Zero, failureRatio: 1.0);
    }

    [Benchmark]
    public ValueTask<int> FailThenSucceed_Resilience() => _ours.ExecuteAsync(static (state, _) => state.Next(), new RetryBenchmark.FailOnce());

    [Benchmark(Baseline = true)]
    public ValueTask<int> FailThenSucceed_Polly() => _polly.ExecuteAsync(static (state, _) => state.Next(), new RetryBenchmark.FailOnce());
}

/// <summary>
/// Success-path throughput of the four-strategy pipeline with 1, 2 and 16 concurrent callers on one shared pipeline per library.
/// </summary>
public class PipelineContentionBenchmark
{
    private const int Operations = 16_000;
    private ResiliencePipeline _ours = null!;
    private PollyPipeline _polly = null!;

    [Params(1, 2, 16)]
    public int Callers { get; set; }

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

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Resilience() => Run(static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._ours.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).GetAwaiter().GetResult();
        }
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void Polly() => Run(static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).GetAwaiter().GetResult();
        }
    });

    private void Run(Action<PipelineContentionBenchmark, int> work)
    {
        var perCaller = Operations / Callers;
        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, _ => work(this, perCaller));
    }
}
