namespace Resilience.Retry;

/// <summary>
/// How randomness is added to a computed delay, so many clients do not retry in lockstep. The backoff is capped by
/// <see cref="RetryStrategyOptions{TResult}.MaxDelay"/> first (<c>d = min(cap, backoff)</c>) and then jittered, so
/// delays at the cap stay spread below it instead of piling up on it; no mode gives a delay above the cap.
/// </summary>
public enum JitterMode
{
    /// <summary>No randomness: <c>d</c>.</summary>
    None = 0,

    /// <summary>Uniform in [0, d): the AWS "full jitter", best at spreading load.</summary>
    Full = 1,

    /// <summary>Uniform in [d/2, d): the AWS "equal jitter", never shorter than half the delay.</summary>
    Equal = 2,

    /// <summary>
    /// Uniform in [c·(1 − r), c·(1 + r)) with r = <see cref="RetryStrategyOptions{TResult}.JitterRange"/> (for example
    /// ±20 %) around c = min(d, cap / (1 + r)), so the whole spread stays at or below the cap.
    /// </summary>
    Proportional = 3,
}
