namespace Resilience.CircuitBreaker;

/// <summary>
/// The arguments of <see cref="CircuitBreakerStrategyOptions{TResult}.ShouldHandleWithArguments"/>: the outcome to
/// judge and the call's context (Polly's <c>CircuitBreakerPredicateArguments</c>).
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct CircuitBreakerPredicateArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="CircuitBreakerPredicateArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The outcome to judge.</param>
    public CircuitBreakerPredicateArguments(ResilienceContext context, Outcome<TResult> outcome)
    {
        Context = context;
        Outcome = outcome;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the outcome to judge.</summary>
    public Outcome<TResult> Outcome { get; }
}
