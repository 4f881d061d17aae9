namespace Resilience.CircuitBreaker;

/// <summary>
/// How the failure and slow-call ratios are sampled.
/// </summary>
public enum SamplingWindow
{
    /// <summary>Over the calls of the last <see cref="CircuitBreakerStrategyOptions{TResult}.SamplingDuration"/>, kept in buckets.</summary>
    TimeBased = 0,

    /// <summary>Over the last <see cref="CircuitBreakerStrategyOptions{TResult}.WindowSize"/> calls.</summary>
    CountBased = 1,
}
