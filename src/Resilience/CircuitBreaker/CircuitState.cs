namespace Resilience.CircuitBreaker;

/// <summary>
/// The states of a circuit breaker.
/// </summary>
public enum CircuitState
{
    /// <summary>Calls flow; outcomes are recorded and may trip the breaker.</summary>
    Closed = 0,

    /// <summary>Calls are rejected with <see cref="BrokenCircuitException"/> until the break ends.</summary>
    Open = 1,

    /// <summary>A few probe calls are let through; their outcomes close or re-open the breaker.</summary>
    HalfOpen = 2,

    /// <summary>Opened by hand; calls are rejected with <see cref="IsolatedCircuitException"/> until closed by hand.</summary>
    Isolated = 3,
}
