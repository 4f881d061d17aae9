namespace Resilience.Retry;

/// <summary>
/// How randomness is added to a computed delay <c>d</c>, so many clients do not retry in lockstep. The delay is capped
/// by <see cref="RetryStrategyOptions{TResult}.MaxDelay"/> after jitter.
/// </summary>
public enum JitterMode
{
    /// <summary>No randomness: <c>d</c>.</summary>
    None = 0,

    /// <summary>Uniform in [0, d): the AWS "full jitter", best at spreading load.</summary>
    Full = 1,

    /// <summary>Uniform in [d/2, d): the AWS "equal jitter", never shorter than half the delay.</summary>
    Equal = 2,

    /// <summary>Uniform in [d·(1 − r), d·(1 + r)) with r = <see cref="RetryStrategyOptions{TResult}.JitterRange"/> (for example ±20 %).</summary>
    Proportional = 3,
}
