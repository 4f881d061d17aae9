namespace Resilience.Retry;

/// <summary>
/// The arguments of <see cref="RetryStrategyOptions{TResult}.OnRetry"/>, raised before the delay of each retry.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnRetryArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="OnRetryArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome that is being retried.</param>
    /// <param name="attemptNumber">The number of the retry about to happen, from 1.</param>
    /// <param name="delay">The delay before it.</param>
    public OnRetryArguments(ResilienceContext context, Outcome<TResult> outcome, int attemptNumber, TimeSpan delay)
        : this(context, outcome, attemptNumber, delay, TimeSpan.Zero)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OnRetryArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome that is being retried.</param>
    /// <param name="attemptNumber">The number of the retry about to happen, from 1.</param>
    /// <param name="delay">The delay before it.</param>
    /// <param name="duration">How long the failed attempt ran.</param>
    public OnRetryArguments(ResilienceContext context, Outcome<TResult> outcome, int attemptNumber, TimeSpan delay, TimeSpan duration)
    {
        Context = context;
        Outcome = outcome;
        AttemptNumber = attemptNumber;
        Delay = delay;
        Duration = duration;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the outcome that is being retried.</summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>Gets the number of the retry about to happen, from 1 (the first attempt is not a retry).</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets the delay before the retry.</summary>
    public TimeSpan Delay { get; }

    /// <summary>
    /// Gets how long the failed attempt ran (Polly's <c>Duration</c>), from its start until its outcome arrived, on the
    /// pipeline's <see cref="TimeProvider"/>.
    /// </summary>
    public TimeSpan Duration { get; }
}
