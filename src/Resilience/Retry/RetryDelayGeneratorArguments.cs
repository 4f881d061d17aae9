namespace Resilience.Retry;

/// <summary>
/// The arguments of <see cref="RetryStrategyOptions{TResult}.DelayGenerator"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct RetryDelayGeneratorArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="RetryDelayGeneratorArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome being retried.</param>
    /// <param name="attemptNumber">The number of the retry about to happen, from 1.</param>
    /// <param name="defaultDelay">The delay the backoff settings give.</param>
    public RetryDelayGeneratorArguments(ResilienceContext context, Outcome<TResult> outcome, int attemptNumber, TimeSpan defaultDelay)
    {
        Context = context;
        Outcome = outcome;
        AttemptNumber = attemptNumber;
        DefaultDelay = defaultDelay;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the outcome being retried.</summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>Gets the number of the retry about to happen, from 1.</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets the delay the backoff settings give (after jitter and cap).</summary>
    public TimeSpan DefaultDelay { get; }
}
