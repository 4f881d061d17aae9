namespace Resilience.Timeout;

/// <summary>
/// Options of the timeout strategy: how long the wrapped work may run before its cancellation token is cancelled.
/// </summary>
/// <remarks>
/// The timeout is cooperative: the work must observe the token it is given. When it stops with an
/// <see cref="OperationCanceledException"/> after the timeout, the caller gets a <see cref="TimeoutRejectedException"/>;
/// when the caller's own token was cancelled, the caller gets the <see cref="OperationCanceledException"/>.
/// </remarks>
public class TimeoutStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>
    /// Gets or sets the fixed timeout.
    /// </summary>
    /// <value>The default value is 30 seconds. It must be greater than zero and at most 1 day.</value>
    public TimeSpan Timeout { get; set; } = TimeoutConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets a generator of the timeout for each call; when set, it replaces <see cref="Timeout"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <remarks>
    /// Returning <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> or any value not greater than zero runs
    /// that call without a timeout; a value longer than 1 day is cut to 1 day.
    /// </remarks>
    public Func<TimeoutGeneratorArguments, ValueTask<TimeSpan>>? TimeoutGenerator { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when a call times out, before the caller gets the
    /// <see cref="TimeoutRejectedException"/>. An exception it throws becomes the call's outcome instead of the <see cref="TimeoutRejectedException"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnTimeoutArguments, ValueTask>? OnTimeout { get; set; }
}
