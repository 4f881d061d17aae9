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
        _ours = Standard();
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

    /// <summary>
    /// Our standard pipeline, built like <see cref="PollyCorePipelines.Standard()"/>: total timeout 30 s, retry of
    /// <see cref="InvalidOperationException"/>, circuit breaker, attempt timeout 10 s; defaults unless given.
    /// </summary>
    internal static ResiliencePipeline Standard(TimeSpan? retryDelay = null, double? failureRatio = null)
    {
        var retry = new RetryStrategyOptions { ShouldHandle = Handle.Exception<InvalidOperationException>() };
        retry.BaseDelay = retryDelay ?? retry.BaseDelay;
        var breaker = new CircuitBreakerStrategyOptions();
        breaker.FailureRatio = failureRatio ?? breaker.FailureRatio;
        return new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(retry)
            .AddCircuitBreaker(breaker)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }
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
        _ours = PipelineBenchmark.Standard(TimeSpan.Zero, failureRatio: 1.0);
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
    private ResiliencePipeline _ours = null!;
    private PollyPipeline _polly = null!;

    [Params(1, 2, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ours = PipelineBenchmark.Standard();
        _polly = PollyCorePipelines.Standard();
    }

    [Benchmark(OperationsPerInvoke = ContentionRunner.Operations)]
    public void Resilience() => ContentionRunner.Run(Callers, this, static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._ours.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).GetAwaiter().GetResult();
        }
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = ContentionRunner.Operations)]
    public void Polly() => ContentionRunner.Run(Callers, this, static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).GetAwaiter().GetResult();
        }
    });
}
