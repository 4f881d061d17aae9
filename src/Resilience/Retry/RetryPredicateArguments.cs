namespace Resilience.Retry;

/// <summary>
/// The arguments of <see cref="RetryStrategyOptions{TResult}.ShouldHandleWithArguments"/>: the outcome to judge, the
/// call's context and the number of the attempt that produced it (Polly's <c>RetryPredicateArguments</c>).
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct RetryPredicateArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="RetryPredicateArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome to judge.</param>
    /// <param name="attemptNumber">The number of the attempt that produced the outcome, from 1.</param>
    public RetryPredicateArguments(ResilienceContext context, Outcome<TResult> outcome, int attemptNumber)
    {
        Context = context;
        Outcome = outcome;
        AttemptNumber = attemptNumber;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the outcome to judge.</summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>
    /// Gets the number of the attempt that produced the outcome, from 1 (the first call); it equals the
    /// <see cref="OnRetryArguments{TResult}.AttemptNumber"/> of the retry that follows. Polly's counts from 0.
    /// </summary>
    public int AttemptNumber { get; }
}
