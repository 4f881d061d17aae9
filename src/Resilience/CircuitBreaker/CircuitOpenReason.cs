namespace Resilience.CircuitBreaker;

/// <summary>
/// Why a breaker opened.
/// </summary>
public enum CircuitOpenReason
{
    /// <summary>The failure ratio over the sampling window reached <see cref="CircuitBreakerStrategyOptions{TResult}.FailureRatio"/>.</summary>
    FailureRatio = 0,

    /// <summary>The slow-call ratio over the sampling window reached <see cref="CircuitBreakerStrategyOptions{TResult}.SlowCallRatio"/>.</summary>
    SlowCallRatio = 1,

    /// <summary><see cref="CircuitBreakerStrategyOptions{TResult}.ConsecutiveFailureThreshold"/> failures happened in a row.</summary>
    ConsecutiveFailures = 2,

    /// <summary>A half-open probe failed (or was slow).</summary>
    ProbeFailed = 3,

    /// <summary>No probe result arrived within <see cref="CircuitBreakerStrategyOptions{TResult}.MaxWaitInHalfOpen"/>.</summary>
    HalfOpenTimedOut = 4,

    /// <summary>Isolated by hand through <see cref="CircuitBreakerManualControl"/> or <see cref="SharedCircuitBreaker"/>.</summary>
    Manual = 5,
}
