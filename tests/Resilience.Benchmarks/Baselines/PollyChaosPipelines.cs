using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;

namespace PollyBaselines;

/// <summary>
/// Polly.Core's chaos (Simmy) configured like ours, for side-by-side benchmarks.
/// </summary>
internal static class PollyChaosPipelines
{
    public static ResiliencePipeline<int> DisabledFault() => new ResiliencePipelineBuilder<int>()
        .AddChaosFault(new ChaosFaultStrategyOptions
        {
            Enabled = false,
            InjectionRate = 1,
            FaultGenerator = static _ => new ValueTask<Exception?>(new InvalidOperationException("chaos")),
        })
        .Build();
}
