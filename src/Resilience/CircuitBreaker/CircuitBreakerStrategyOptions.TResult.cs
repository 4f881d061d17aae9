namespace Resilience.CircuitBreaker;

/// <summary>
/// Options of the circuit breaker: what trips it, how long it stays open, and how it probes before closing.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline (<see cref="object"/> for non-generic pipelines).</typeparam>
/// <remarks>
/// Trip conditions, one per breaker: set <see cref="ConsecutiveFailureThreshold"/> to trip after that many failures in a
/// row; otherwise the breaker trips on <see cref="FailureRatio"/> (and, when <see cref="SlowCallDuration"/> is set, on
/// <see cref="SlowCallRatio"/>) over a <see cref="SamplingWindow"/>, once <see cref="MinimumThroughput"/> calls are in it.
/// </remarks>
public class CircuitBreakerStrategyOptions<TResult> : ResilienceStrategyOptions
{
    private static readonly Func<Outcome<TResult>, bool> AnyException = static outcome => outcome.Exception is not null;

    /// <summary>Gets or sets the number of failures in a row that trips the breaker; when set, ratios are not used.</summary>
    /// <value>The default value is <see langword="null"/> (ratio-based). It must be at least 1.</value>
    public int? ConsecutiveFailureThreshold { get; set; }

    /// <summary>Gets or sets the failure ratio over the window that trips the breaker.</summary>
    /// <value>The default value is 0.5. It must be greater than 0 and at most 1.</value>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets how many calls the window must hold before a ratio can trip the breaker.</summary>
    /// <value>The default value is 10. It must be at least 1, and for a count-based window at most <see cref="WindowSize"/>.</value>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>Gets or sets how calls are sampled.</summary>
    /// <value>The default value is <see cref="SamplingWindow.TimeBased"/>.</value>
    public SamplingWindow SamplingWindow { get; set; } = SamplingWindow.TimeBased;

    /// <summary>Gets or sets the time a time-based window covers.</summary>
    /// <value>The default value is 30 seconds. Each bucket must cover at least 1 ms; at most 1 day.</value>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many buckets a time-based window is split into (older buckets expire one at a time).</summary>
    /// <value>The default value is 10. It must be between 1 and 1,000.</value>
    public int BucketCount { get; set; } = 10;

    /// <summary>Gets or sets how many calls a count-based window holds.</summary>
    /// <value>The default value is 100. It must be at least 1.</value>
    public int WindowSize { get; set; } = 100;

    /// <summary>Gets or sets the duration above which a call counts as slow, success or not.</summary>
    /// <value>The default value is <see langword="null"/> (no slow-call rule). When set, greater than zero and at most 1 day.</value>
    public TimeSpan? SlowCallDuration { get; set; }

    /// <summary>Gets or sets the slow-call ratio over the window that trips the breaker.</summary>
    /// <value>The default value is 1.0. It must be greater than 0 and at most 1.</value>
    public double SlowCallRatio { get; set; } = 1.0;

    /// <summary>Gets or sets how long the breaker stays open.</summary>
    /// <value>The default value is 5 seconds. It must be greater than zero and at most 1 day.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets a generator of the break duration, for example growing with consecutive trips (and capped).
    /// Returning a value not greater than zero keeps <see cref="BreakDuration"/>; one longer than 1 day is cut to 1 day.
    /// An exception it throws reaches the caller whose result opened the breaker (which opens for <see cref="BreakDuration"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<BreakDurationGeneratorArguments, TimeSpan>? BreakDurationGenerator { get; set; }

    /// <summary>Gets or sets how many probe calls half-open lets through.</summary>
    /// <value>The default value is 1. It must be at least 1.</value>
    public int PermittedCallsInHalfOpen { get; set; } = 1;

    /// <summary>Gets or sets how many successful probes close the breaker; one failed probe re-opens it.</summary>
    /// <value>The default value is 1. It must be between 1 and <see cref="PermittedCallsInHalfOpen"/>.</value>
    public int SuccessThresholdInHalfOpen { get; set; } = 1;

    /// <summary>
    /// Gets or sets how long half-open waits for probe results before it re-opens (a probe whose result never comes —
    /// a hung call — would otherwise leave the breaker stuck).
    /// </summary>
    /// <value>The default value is 1 minute; at most 1 day. <see langword="null"/> waits forever.</value>
    public TimeSpan? MaxWaitInHalfOpen { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets a value indicating whether the breaker only records (metrics-only): it never opens on its own.
    /// A manual isolation still rejects calls until the breaker is closed again.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool MetricsOnly { get; set; }

    /// <summary>Gets or sets which outcomes count as failures. The caller's cancellation counts as neither success nor failure.</summary>
    /// <value>The default handles every exception.</value>
    public Func<Outcome<TResult>, bool> ShouldHandle { get; set; } = AnyException;

    /// <summary>
    /// Gets or sets a rule that also sees the call's context (Polly's predicate arguments). When set it replaces
    /// <see cref="ShouldHandle"/>, which is then not consulted. The caller's cancellation is never handled either way.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ShouldHandle"/> decides.</value>
    /// <remarks>
    /// It is synchronous, like <see cref="ShouldHandle"/>: a decision per attempt stays free of a task. The outcome-only
    /// <see cref="ShouldHandle"/> remains the cheaper form (it lets a non-generic pipeline skip judging successful results).
    /// </remarks>
    public Func<CircuitBreakerPredicateArguments<TResult>, bool>? ShouldHandleWithArguments { get; set; }

    /// <summary>Gets or sets a handle to isolate and close the breaker by hand (one handle may serve several breakers).</summary>
    public CircuitBreakerManualControl? ManualControl { get; set; }

    /// <summary>Gets or sets a handle to read the breaker's state.</summary>
    public CircuitBreakerStateProvider? StateProvider { get; set; }

    /// <summary>Gets or sets a callback raised when the breaker opens (with the reason).</summary>
    public Func<OnCircuitOpenedArguments, ValueTask>? OnOpened { get; set; }

    /// <summary>Gets or sets a callback raised when the breaker closes.</summary>
    public Func<CircuitTransitionArguments, ValueTask>? OnClosed { get; set; }

    /// <summary>Gets or sets a callback raised when the breaker turns half-open.</summary>
    public Func<CircuitTransitionArguments, ValueTask>? OnHalfOpened { get; set; }

    internal bool UsesDefaultShouldHandle => ReferenceEquals(ShouldHandle, AnyException);
}
