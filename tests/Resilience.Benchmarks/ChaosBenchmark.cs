using BenchmarkDotNet.Attributes;
using PollyBaselines;
using Resilience.Chaos;
using PollyPipeline = Polly.ResiliencePipeline<int>;

namespace Resilience.Benchmarks;

/// <summary>
/// Disabled chaos on the success path (Enabled = false, and the global switch off), next to a pipeline without it and
/// to Polly.Core's disabled chaos fault: the cost chaos adds when it is off in production.
/// </summary>
public class ChaosBenchmark
{
    private ResiliencePipeline<int> _none = null!;
    private ResiliencePipeline<int> _passThrough = null!;
    private ResiliencePipeline<int> _disabled = null!;
    private ResiliencePipeline<int> _switchedOff = null!;
    private PollyPipeline _pollyDisabled = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The pipeline without chaos holds a fallback, so both have a chain to walk; chaos adds one strategy to it.
        _none = new ResiliencePipelineBuilder<int>().AddFallback(-1).Build();
        _passThrough = new ResiliencePipelineBuilder<int>().AddFallback(-1).AddStrategy(static _ => new PassThroughStrategy()).Build();
        _disabled = new ResiliencePipelineBuilder<int>()
            .AddFallback(-1)
            .AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, InjectionRate = 1, FaultGenerator = static _ => new ValueTask<Exception?>(new InvalidOperationException("chaos")) })
            .Build();
        _switchedOff = new ResiliencePipelineBuilder<int>()
            .AddFallback(-1)
            .AddChaosFault(new ChaosFaultStrategyOptions { Switch = new ChaosSwitch(), InjectionRate = 1, FaultGenerator = static _ => new ValueTask<Exception?>(new InvalidOperationException("chaos")) })
            .Build();
        _pollyDisabled = PollyChaosPipelines.DisabledFault();
    }

    [Benchmark]
    public ValueTask<int> NoChaos_Resilience() => _none.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    // A strategy that only calls on: what any second strategy costs in the chain, so Disabled - PassThrough is chaos's own cost.
    [Benchmark]
    public ValueTask<int> PassThrough_Resilience() => _passThrough.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> Disabled_Resilience() => _disabled.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark]
    public ValueTask<int> SwitchedOff_Resilience() => _switchedOff.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true)]
    public ValueTask<int> Disabled_Polly() => _pollyDisabled.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    private sealed class PassThroughStrategy : ResilienceStrategy
    {
        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
            => callback(context, state);
    }
}
