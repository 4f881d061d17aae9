namespace Resilience.Hedging;

/// <summary>
/// Options of the hedging strategy: when to start another attempt of the same work while earlier ones still run,
/// and which outcome wins.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline (<see cref="object"/> for non-generic pipelines).</typeparam>
/// <remarks>
/// The first attempt whose outcome is not handled by <see cref="ShouldHandle"/> wins; every other attempt still
/// running is cancelled and its result, when it comes, is disposed. When every attempt's outcome is handled, the first
/// attempt's outcome is returned (as in Polly) and the other results are disposed.
/// </remarks>
public class HedgingStrategyOptions<TResult> : ResilienceStrategyOptions
{
    private static readonly Func<Outcome<TResult>, bool> AnyExceptionButCancellation =
        static outcome => outcome.Exception is { } ex && ex is not OperationCanceledException;

    /// <summary>
    /// Gets or sets how many attempts may start in addition to the first: 1 means at most 2 attempts in all.
    /// </summary>
    /// <value>The default value is 1. It must be between 1 and 10.</value>
    public int MaxHedgedAttempts { get; set; } = HedgingConstants.DefaultMaxHedgedAttempts;

    /// <summary>
    /// Gets or sets how long to wait for a running attempt before starting the next one. A handled outcome starts the
    /// next attempt at once, without waiting.
    /// </summary>
    /// <value>
    /// The default value is 2 seconds (latency mode). <see cref="TimeSpan.Zero"/> starts every attempt at once
    /// (parallel mode); <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (-1 ms) starts the next attempt only
    /// after a handled outcome (fallback mode). Any other negative value is rejected.
    /// </value>
    public TimeSpan Delay { get; set; } = HedgingConstants.DefaultDelay;

    /// <summary>
    /// Gets or sets a generator of the delay before each further attempt; it replaces <see cref="Delay"/>. A negative
    /// value it returns means fallback mode for that attempt (wait for a handled outcome). An exception it throws
    /// fails the call with that exception.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<see cref="Delay"/> is used).</value>
    public Func<HedgingDelayGeneratorArguments, ValueTask<TimeSpan>>? DelayGenerator { get; set; }

    /// <summary>
    /// Gets or sets a generator of the action each hedged attempt runs, e.g. to call another endpoint per attempt. It
    /// returns the action, or <see langword="null"/> to start no further attempt. The first attempt always runs the
    /// pipeline's callback.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: every hedged attempt runs the pipeline's callback again
    /// (the same as <c>args =&gt; () =&gt; args.Callback(args.ActionContext)</c>).
    /// </value>
    public Func<HedgingActionGeneratorArguments<TResult>, Func<ValueTask<Outcome<TResult>>>?>? ActionGenerator { get; set; }

    /// <summary>
    /// Gets or sets which outcomes lose: a handled outcome never wins and starts the next attempt at once. The caller's
    /// cancellation is never handled.
    /// </summary>
    /// <value>The default handles every exception except <see cref="OperationCanceledException"/>, and no result.</value>
    public Func<Outcome<TResult>, bool> ShouldHandle { get; set; } = AnyExceptionButCancellation;

    /// <summary>
    /// Gets or sets a callback raised before each hedged attempt (not the first) starts. An exception it throws is
    /// reported to telemetry, not to the caller.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnHedgingArguments<TResult>, ValueTask>? OnHedging { get; set; }

    internal bool UsesDefaultShouldHandle => ReferenceEquals(ShouldHandle, AnyExceptionButCancellation);
}
