using BenchmarkDotNet.Attributes;
using PollyBaselines;
using Resilience.Hedging;
using PollyPipeline = Polly.ResiliencePipeline<int>;

namespace Resilience.Benchmarks;

/// <summary>
/// Hedging (one hedged attempt, 2 s delay) on the success path (the first attempt succeeds before the delay) and on a
/// hedged win (the first attempt returns a handled result at once, the hedged attempt succeeds; a result rather than
/// an exception, so the exception's own cost, the same in both libraries, does not hide the strategies'), each of ours beside Polly.Core's.
/// </summary>
public class HedgingBenchmark
{
    private ResiliencePipeline<int> _hedging = null!;
    private PollyPipeline _pollyHedging = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hedging = new ResiliencePipelineBuilder<int>()
            .AddHedging(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(2), ShouldHandle = static o => o.Exception is InvalidOperationException || o.Result < 0 })
            .Build();
        _pollyHedging = PollyHedgingPipelines.Hedging(TimeSpan.FromSeconds(2));
    }

    [Benchmark]
    public ValueTask<int> Success_Resilience() => _hedging.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Success_Polly() => _pollyHedging.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> HedgedWin_Resilience()
        => _hedging.ExecuteAsync(static (box, _) => new ValueTask<int>(++box.Value == 1 ? -1 : box.Value), new StrongBox(0));

    [Benchmark]
    public ValueTask<int> HedgedWin_Polly()
        => _pollyHedging.ExecuteAsync(static (box, _) => new ValueTask<int>(++box.Value == 1 ? -1 : box.Value), new StrongBox(0));

    // Counts the attempts of one call (both libraries pass the state to every attempt); both cases allocate it alike.
    public sealed class StrongBox(int value)
    {
        public int Value { get; set; } = value;
    }
}
