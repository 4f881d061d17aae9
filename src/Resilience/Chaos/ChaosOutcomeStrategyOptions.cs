namespace Resilience.Chaos;

/// <summary>
/// Outcome chaos options for a non-generic <see cref="ResiliencePipeline"/>: a generated result that is not of the
/// call site's type fails that call with an <see cref="InvalidCastException"/>.
/// </summary>
public class ChaosOutcomeStrategyOptions : ChaosOutcomeStrategyOptions<object>
{
}
