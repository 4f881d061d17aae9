namespace Resilience.CircuitBreaker;

/// <summary>
/// The arguments of <see cref="CircuitBreakerStrategyOptions{TResult}.OnOpened"/>.
/// </summary>
public readonly struct OnCircuitOpenedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnCircuitOpenedArguments"/> struct.</summary>
    /// <param name="breakerName">The breaker's name, if any.</param>
    /// <param name="reason">Why it opened.</param>
    /// <param name="breakDuration">How long it stays open (zero when isolated by hand).</param>
    /// <param name="generation">The state's sequence number: every transition increments it, so events can be ordered.</param>
    public OnCircuitOpenedArguments(string? breakerName, CircuitOpenReason reason, TimeSpan breakDuration, long generation)
    {
        BreakerName = breakerName;
        Reason = reason;
        BreakDuration = breakDuration;
        Generation = generation;
    }

    /// <summary>Gets the breaker's name, if any.</summary>
    public string? BreakerName { get; }

    /// <summary>Gets why the breaker opened.</summary>
    public CircuitOpenReason Reason { get; }

    /// <summary>Gets how long it stays open (zero when isolated by hand).</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>Gets the state's sequence number; every transition increments it.</summary>
    public long Generation { get; }

    /// <summary>Gets a value indicating whether the breaker was isolated by hand.</summary>
    public bool IsManual => Reason == CircuitOpenReason.Manual;
}
