namespace Resilience.CircuitBreaker;

/// <summary>
/// The arguments of <see cref="CircuitBreakerStrategyOptions{TResult}.OnClosed"/> and <see cref="CircuitBreakerStrategyOptions{TResult}.OnHalfOpened"/>.
/// </summary>
public readonly struct CircuitTransitionArguments
{
    /// <summary>Initializes a new instance of the <see cref="CircuitTransitionArguments"/> struct.</summary>
    /// <param name="breakerName">The breaker's name, if any.</param>
    /// <param name="state">The state entered.</param>
    /// <param name="generation">The state's sequence number.</param>
    /// <param name="isManual">Whether the change was made by hand.</param>
    public CircuitTransitionArguments(string? breakerName, CircuitState state, long generation, bool isManual)
    {
        BreakerName = breakerName;
        State = state;
        Generation = generation;
        IsManual = isManual;
    }

    /// <summary>Gets the breaker's name, if any.</summary>
    public string? BreakerName { get; }

    /// <summary>Gets the state entered.</summary>
    public CircuitState State { get; }

    /// <summary>Gets the state's sequence number; every transition increments it.</summary>
    public long Generation { get; }

    /// <summary>Gets a value indicating whether the change was made by hand.</summary>
    public bool IsManual { get; }
}
