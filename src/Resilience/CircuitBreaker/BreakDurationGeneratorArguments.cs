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
        : this(consecutiveTrips, reason, breakDuration, 0, 0, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BreakDurationGeneratorArguments"/> struct.</summary>
    /// <param name="consecutiveTrips">How many times the breaker opened since it was last closed, this time included.</param>
    /// <param name="reason">Why it is opening.</param>
    /// <param name="breakDuration">The configured <see cref="CircuitBreakerStrategyOptions{TResult}.BreakDuration"/>.</param>
    /// <param name="failureRate">The failure rate the breaker saw, from 0 to 1.</param>
    /// <param name="failureCount">The number of failures the breaker saw.</param>
    /// <param name="context">The context of the call that opened the breaker, if one did.</param>
    public BreakDurationGeneratorArguments(int consecutiveTrips, CircuitOpenReason reason, TimeSpan breakDuration, double failureRate, int failureCount, ResilienceContext? context)
    {
        ConsecutiveTrips = consecutiveTrips;
        Reason = reason;
        BreakDuration = breakDuration;
        FailureRate = failureRate;
        FailureCount = failureCount;
        Context = context;
    }

    /// <summary>Gets how many times the breaker opened since it was last closed, this time included (1 for a first trip).</summary>
    public int ConsecutiveTrips { get; }

    /// <summary>Gets why the breaker is opening.</summary>
    public CircuitOpenReason Reason { get; }

    /// <summary>Gets the configured break duration.</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>
    /// Gets the failure rate the breaker saw, from 0 to 1 (Polly's <c>FailureRate</c>): failures over calls in the
    /// sampling window, or 1 for a run of consecutive failures.
    /// </summary>
    public double FailureRate { get; }

    /// <summary>
    /// Gets the number of failures the breaker saw (Polly's <c>FailureCount</c>): in the sampling window, or the length
    /// of the run of consecutive failures.
    /// </summary>
    public int FailureCount { get; }

    /// <summary>
    /// Gets the context of the call whose outcome (or, for <see cref="CircuitOpenReason.HalfOpenTimedOut"/>, whose
    /// arrival) opened the breaker; <see langword="null"/> when none did. Valid only while the generator runs.
    /// </summary>
    public ResilienceContext? Context { get; }
}
