using System.ComponentModel;

namespace Resilience.Retry;

/// <summary>
/// Options of the retry strategy.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline (<see cref="object"/> for non-generic pipelines).</typeparam>
public class RetryStrategyOptions<TResult> : ResilienceStrategyOptions
{
    private static readonly Func<Outcome<TResult>, bool> TransientExceptions =
        static outcome => outcome.Exception is { } ex && TransientErrorClassifier.IsTransient(ex);

    /// <summary>
    /// Gets or sets how many retries may follow the first attempt: 3 means at most 4 calls in all.
    /// </summary>
    /// <value>The default value is 3. It must be at least 1; <see cref="int.MaxValue"/> retries until another limit stops it.</value>
    public int MaxRetryAttempts { get; set; } = RetryConstants.DefaultMaxRetryAttempts;

    /// <summary>Gets or sets how delays grow.</summary>
    /// <value>The default value is <see cref="BackoffType.Exponential"/>.</value>
    public BackoffType BackoffType { get; set; } = BackoffType.Exponential;

    /// <summary>Gets or sets the base delay of the backoff (the first delay before jitter). Zero retries at once.</summary>
    /// <value>The default value is 200 milliseconds. It must not be negative, and at most 1 day.</value>
    public TimeSpan BaseDelay { get; set; } = RetryConstants.DefaultBaseDelay;

    /// <summary>
    /// Gets or sets the longest delay. It caps the backoff before jitter is applied (full jitter is
    /// <c>random(0, min(MaxDelay, backoff))</c>), so no jittered delay exceeds it, and a server's <c>Retry-After</c>.
    /// </summary>
    /// <value>The default value is 30 seconds. It must not be shorter than <see cref="BaseDelay"/>, and at most 1 day.</value>
    public TimeSpan MaxDelay { get; set; } = RetryConstants.DefaultMaxDelay;

    /// <summary>Gets or sets how randomness is added to delays.</summary>
    /// <value>The default value is <see cref="JitterMode.Full"/>.</value>
    public JitterMode Jitter { get; set; } = JitterMode.Full;

    /// <summary>Gets or sets the spread of <see cref="JitterMode.Proportional"/> jitter: 0.2 means ±20 %.</summary>
    /// <value>The default value is 0.2. It must be greater than 0 and at most 1.</value>
    public double JitterRange { get; set; } = RetryConstants.DefaultJitterRange;

    /// <summary>
    /// Gets or sets a generator that may replace the computed delay for a retry; returning <see langword="null"/>
    /// keeps the default (backoff, or the server's <c>Retry-After</c>). A negative delay counts as zero and one longer
    /// than 1 day as 1 day; an exception it throws ends the retries and becomes the call's outcome.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<RetryDelayGeneratorArguments<TResult>, ValueTask<TimeSpan?>>? DelayGenerator { get; set; }

    /// <summary>
    /// Gets or sets the longest time the strategy may spend, from the first attempt: no retry starts whose delay would
    /// end after it.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no limit). When set, it must be greater than zero and at most 1 day.</value>
    public TimeSpan? MaxRetryDuration { get; set; }

    /// <summary>
    /// Gets or sets which outcomes are retried. The caller's cancellation never is.
    /// </summary>
    /// <value>The default handles exceptions that <see cref="TransientErrorClassifier"/> judges transient.</value>
    public Func<Outcome<TResult>, bool> ShouldHandle { get; set; } = TransientExceptions;

    /// <summary>
    /// Gets or sets a rule that also sees the context and the number of the attempt that produced the outcome (Polly's predicate arguments). When set it replaces
    /// <see cref="ShouldHandle"/>, which is then not consulted. The caller's cancellation is never handled either way.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ShouldHandle"/> decides.</value>
    /// <remarks>
    /// It is synchronous, like <see cref="ShouldHandle"/>: a decision per attempt stays free of a task. The outcome-only
    /// <see cref="ShouldHandle"/> remains the cheaper form (it lets a non-generic pipeline skip judging successful results).
    /// </remarks>
    public Func<RetryPredicateArguments<TResult>, bool>? ShouldHandleWithArguments { get; set; }

    /// <summary>Gets or sets a callback raised before the delay of each retry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnRetryArguments<TResult>, ValueTask>? OnRetry { get; set; }

    /// <summary>Gets or sets a callback raised when a handled outcome is returned because no retry is left.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnRetriesExhaustedArguments<TResult>, ValueTask>? OnRetriesExhausted { get; set; }

    /// <summary>Gets or sets a budget shared with other strategies that limits retries to a fraction of traffic.</summary>
    /// <value>The default value is <see langword="null"/> (no budget).</value>
    public RetryBudget? Budget { get; set; }

    /// <summary>Gets or sets the source of randomness, returning values in [0, 1); tests pin it to make jitter predictable.</summary>
    /// <value>The default value is <see langword="null"/>, which uses <see cref="Random.Shared"/>.</value>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Func<double>? Randomizer { get; set; }

    /// <summary>
    /// Computes the delays these options give the first <paramref name="count"/> retries (before any <c>Retry-After</c>
    /// or <see cref="DelayGenerator"/>), for documentation, logs and configuration checks.
    /// </summary>
    /// <param name="count">How many retries.</param>
    /// <returns>The delays, in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public IReadOnlyList<TimeSpan> PreviewDelays(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = Randomizer ?? Random.Shared.NextDouble;
        var previous = 0.0;
        var delays = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            delays[i] = Internal.BackoffCalculator.Compute(BackoffType, i, BaseDelay, MaxDelay, Jitter, JitterRange, random, ref previous);
        }

        return delays;
    }

    internal bool UsesDefaultShouldHandle => ReferenceEquals(ShouldHandle, TransientExceptions);
}
