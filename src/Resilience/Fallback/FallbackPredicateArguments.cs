namespace Resilience.Fallback;

/// <summary>
/// The arguments of <see cref="FallbackStrategyOptions{TResult}.ShouldHandleWithArguments"/>: the outcome to judge
/// and the call's context (Polly's <c>FallbackPredicateArguments</c>).
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct FallbackPredicateArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="FallbackPredicateArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome to judge.</param>
    public FallbackPredicateArguments(ResilienceContext context, Outcome<TResult> outcome)
    {
        Context = context;
        Outcome = outcome;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the outcome to judge: the work's, or in a chain of fallbacks the previous fallback's.</summary>
    public Outcome<TResult> Outcome { get; }
}
