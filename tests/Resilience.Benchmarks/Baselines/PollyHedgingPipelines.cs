using Polly;
using Polly.Hedging;

namespace PollyBaselines;

/// <summary>
/// Polly.Core's hedging configured like ours, for side-by-side benchmarks (a file of its own, beside PollyCorePipelines).
/// </summary>
internal static class PollyHedgingPipelines
{
    public static ResiliencePipeline<int> Hedging(TimeSpan delay) => new ResiliencePipelineBuilder<int>()
        .AddHedging(new HedgingStrategyOptions<int>
        {
            MaxHedgedAttempts = 1,
            Delay = delay,
            ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is InvalidOperationException || args.Outcome.Result < 0),
        })
        .Build();
}
