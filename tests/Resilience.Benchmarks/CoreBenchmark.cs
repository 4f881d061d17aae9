using BenchmarkDotNet.Attributes;
using PollyBaselines;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// The cost of the execution core: a direct call, an empty pipeline, and a timeout strategy, for both libraries.
/// The callback completes synchronously, so only the pipeline's own work is measured.
/// </summary>
public class CoreBenchmark
{
    private ResiliencePipeline _empty = null!;
    private ResiliencePipeline _timeout = null!;
    private PollyPipeline _pollyEmpty = null!;
    private PollyPipeline _pollyTimeout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _empty = new ResiliencePipelineBuilder().Build();
        _timeout = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(10)).Build();
        _pollyEmpty = PollyCorePipelines.Empty();
        _pollyTimeout = PollyCorePipelines.Timeout(TimeSpan.FromSeconds(10));
    }

    [Benchmark]
    public ValueTask<int> DirectCall() => Work(42, CancellationToken.None);

    [Benchmark]
    public ValueTask<int> Empty_Resilience() => _empty.ExecuteAsync(static (s, ct) => Work(s, ct), 42);

    [Benchmark]
    public ValueTask<int> Empty_Polly() => _pollyEmpty.ExecuteAsync(static (s, ct) => Work(s, ct), 42);

    [Benchmark]
    public ValueTask<int> Timeout_Resilience() => _timeout.ExecuteAsync(static (s, ct) => Work(s, ct), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Timeout_Polly() => _pollyTimeout.ExecuteAsync(static (s, ct) => Work(s, ct), 42);

    private static ValueTask<int> Work(int state, CancellationToken cancellationToken) => new(state);
}
