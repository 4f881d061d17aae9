namespace Resilience.CircuitBreaker;

/// <summary>
/// The arguments of <see cref="CircuitBreakerStrategyOptions{TResult}.BreakDurationGenerator"/>.
/// </summary>
public readonly struct BreakDurationGeneratorArguments
{
    /// <summary>Initializes a new instance of the <see cref="BreakDurationGeneratorArguments"/> struct.</summary>
    /// <param name="consecutiveTrips">How many times the breaker opened since it was last closed, this time included.</param>
    /// <param name="reason">Why it is opening.</param>
    /// <param name="breakDuration">The configured <see cref="CircuitBreakerStrategyOptions{TResult}.BreakDuration"/>.</param>
    public BreakDurationGeneratorArguments(int consecutiveTrips, CircuitOpenReason reason, TimeSpan breakDuration)
    {
        ConsecutiveTrips = consecutiveTrips;
        Reason = reason;
        BreakDuration = breakDuration;
    }

    /// <summary>Gets how many times the breaker opened since it was last closed, this time included (1 for a first trip).</summary>
    public int ConsecutiveTrips { get; }

    /// <summary>Gets why the breaker is opening.</summary>
    public CircuitOpenReason Reason { get; }

    /// <summary>Gets the configured break duration.</summary>
    public TimeSpan BreakDuration { get; }
}
