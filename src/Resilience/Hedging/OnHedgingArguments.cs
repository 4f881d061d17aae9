namespace Resilience.Hedging;

/// <summary>
/// The arguments of <see cref="HedgingStrategyOptions{TResult}.OnHedging"/>, raised before each hedged attempt starts.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnHedgingArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="OnHedgingArguments{TResult}"/> struct.</summary>
    /// <param name="primaryContext">The caller's context of the execution.</param>
    /// <param name="actionContext">The context the hedged attempt will run with.</param>
    /// <param name="attemptNumber">The number of the hedged attempt: 1 for the first (the first attempt is 0).</param>
    public OnHedgingArguments(ResilienceContext primaryContext, ResilienceContext actionContext, int attemptNumber)
    {
        PrimaryContext = primaryContext;
        ActionContext = actionContext;
        AttemptNumber = attemptNumber;
    }

    /// <summary>Gets the caller's context of the execution.</summary>
    public ResilienceContext PrimaryContext { get; }

    /// <summary>Gets the context the hedged attempt will run with: a copy of the caller's, with its own token.</summary>
    public ResilienceContext ActionContext { get; }

    /// <summary>Gets the number of the hedged attempt: 1 for the first (the first attempt is 0).</summary>
    public int AttemptNumber { get; }
}
