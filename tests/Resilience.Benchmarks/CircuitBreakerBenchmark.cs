using BenchmarkDotNet.Attributes;
using PollyBaselines;
using Resilience.CircuitBreaker;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// Circuit breaker (time-based window, ratio 0.5, throughput 10) on the success path, and the open-circuit rejection
/// path returned as an outcome and thrown, for both libraries.
/// </summary>
public class CircuitBreakerBenchmark
{
    private ResiliencePipeline _closed = null!;
    private ResiliencePipeline _open = null!;
    private PollyPipeline _pollyClosed = null!;
    private PollyPipeline _pollyOpen = null!;

    [GlobalSetup]
    public void Setup()
    {
        _closed = Ours(out _);
        _open = Ours(out var control);
        control.IsolateAsync().GetAwaiter().GetResult();
        _pollyClosed = PollyCorePipelines.CircuitBreaker().Pipeline;
        var (pollyOpen, pollyControl) = PollyCorePipelines.CircuitBreaker();
        pollyControl.IsolateAsync().GetAwaiter().GetResult();
        _pollyOpen = pollyOpen;
    }

    [Benchmark]
    public ValueTask<int> Success_Resilience() => _closed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Success_Polly() => _pollyClosed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public async ValueTask<bool> OpenOutcome_Resilience() => (await _open.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 42)).HasResult;

    [Benchmark]
    public async ValueTask<bool> OpenOutcome_Polly()
    {
        var context = Polly.ResilienceContextPool.Shared.Get();
        var outcome = await _pollyOpen.ExecuteOutcomeAsync(static (_, s) => Polly.Outcome.FromResultAsValueTask(s), context, 42);
        Polly.ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null;
    }

    [Benchmark]
    public async ValueTask<bool> OpenThrown_Resilience()
    {
        try
        {
            return await _open.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (BrokenCircuitException)
        {
            return false;
        }
    }

    [Benchmark]
    public async ValueTask<bool> OpenThrown_Polly()
    {
        try
        {
            return await _pollyOpen.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return false;
        }
    }

    private static ResiliencePipeline Ours(out CircuitBreakerManualControl control)
    {
        control = new CircuitBreakerManualControl();
        return new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 10, ManualControl = control })
            .Build();
    }
}

/// <summary>
/// Success-path throughput with 1, 2 and 16 concurrent callers on one shared breaker per library.
/// </summary>
public class CircuitBreakerContentionBenchmark
{
    private ResiliencePipeline _ours = null!;
    private PollyPipeline _polly = null!;

    [Params(1, 2, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ours = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions()).Build();
        _polly = PollyCorePipelines.CircuitBreaker().Pipeline;
    }

    [Benchmark(OperationsPerInvoke = ContentionRunner.Operations)]
    public void Resilience() => ContentionRunner.Run(Callers, this, static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._ours.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).Result;
        }
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = ContentionRunner.Operations)]
    public void Polly() => ContentionRunner.Run(Callers, this, static (p, n) =>
    {
        for (var i = 0; i < n; i++)
        {
            _ = p._polly.ExecuteAsync(static (s, _) => new ValueTask<int>(s), i).Result;
        }
    });
}
