namespace Resilience.Retry;

/// <summary>
/// How the delay between retries grows. With <c>base</c> the base delay and <c>n</c> the retry number from 0.
/// </summary>
public enum BackoffType
{
    /// <summary><c>base</c> every time: 1 s, 1 s, 1 s, ...</summary>
    Constant = 0,

    /// <summary><c>base · (n + 1)</c>: 1 s, 2 s, 3 s, 4 s, ...</summary>
    Linear = 1,

    /// <summary><c>base · 2^n</c>: 1 s, 2 s, 4 s, 8 s, ...</summary>
    Exponential = 2,

    /// <summary><c>base · F(n + 2)</c> with F the Fibonacci numbers: 1 s, 2 s, 3 s, 5 s, 8 s, ... (gentler than exponential).</summary>
    Fibonacci = 3,

    /// <summary>
    /// AWS "decorrelated jitter": each delay is uniform between <c>base</c> and three times the previous delay
    /// (<c>base</c> for the first), then capped. Random by nature, so <see cref="RetryStrategyOptions{TResult}.Jitter"/> does not apply.
    /// </summary>
    DecorrelatedJitter = 4,
}
