using BenchmarkDotNet.Attributes;
using PollyBaselines;
using PollyPipeline = Polly.ResiliencePipeline<int>;

namespace Resilience.Benchmarks;

/// <summary>
/// Fallback on the success path (the fallback is configured but not needed) and on the failure path.
/// </summary>
public class FallbackBenchmark
{
    private ResiliencePipeline<int> _fallback = null!;
    private PollyPipeline _pollyFallback = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fallback = new ResiliencePipelineBuilder<int>().AddFallback(-1).Build();
        _pollyFallback = PollyCorePipelines.FallbackTo(-1);
    }

    [Benchmark]
    public ValueTask<int> Success_Resilience() => _fallback.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Success_Polly() => _pollyFallback.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> Failure_Resilience() => _fallback.ExecuteAsync(static (_, _) => ValueTask.FromException<int>(new InvalidOperationException("failed")), 42);

    [Benchmark]
    public ValueTask<int> Failure_Polly() => _pollyFallback.ExecuteAsync(static (_, _) => ValueTask.FromException<int>(new InvalidOperationException("failed")), 42);
}
