namespace Resilience.Timeout;

/// <summary>
/// The arguments of <see cref="TimeoutStrategyOptions.OnTimeout"/>.
/// </summary>
public readonly struct OnTimeoutArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="OnTimeoutArguments"/> struct.
    /// </summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="timeout">The timeout that elapsed.</param>
    public OnTimeoutArguments(ResilienceContext context, TimeSpan timeout)
    {
        Context = context;
        Timeout = timeout;
    }

    /// <summary>
    /// Gets the context of the execution.
    /// </summary>
    public ResilienceContext Context { get; }

    /// <summary>
    /// Gets the timeout that elapsed.
    /// </summary>
    public TimeSpan Timeout { get; }
}
