namespace Resilience.Retry;

/// <summary>
/// Retry options for a non-generic <see cref="ResiliencePipeline"/>, where results are seen as <see cref="object"/>.
/// </summary>
public class RetryStrategyOptions : RetryStrategyOptions<object>
{
}
