namespace Resilience.Hedging;

/// <summary>
/// Hedging options for a non-generic <see cref="ResiliencePipeline"/>, where results are seen as <see cref="object"/>.
/// </summary>
public class HedgingStrategyOptions : HedgingStrategyOptions<object>
{
}
