namespace Resilience.Hedging;

/// <summary>
/// The arguments of <see cref="HedgingStrategyOptions{TResult}.ActionGenerator"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct HedgingActionGeneratorArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="HedgingActionGeneratorArguments{TResult}"/> struct.</summary>
    /// <param name="primaryContext">The caller's context of the execution.</param>
    /// <param name="actionContext">The context the hedged attempt runs with.</param>
    /// <param name="attemptNumber">The number of the hedged attempt: 1 for the first (the first attempt is 0).</param>
    /// <param name="callback">Runs the rest of the pipeline (the original work) with a given context; it never throws.</param>
    public HedgingActionGeneratorArguments(
        ResilienceContext primaryContext,
        ResilienceContext actionContext,
        int attemptNumber,
        Func<ResilienceContext, ValueTask<Outcome<TResult>>> callback)
    {
        PrimaryContext = primaryContext;
        ActionContext = actionContext;
        AttemptNumber = attemptNumber;
        Callback = callback;
    }

    /// <summary>Gets the caller's context of the execution.</summary>
    public ResilienceContext PrimaryContext { get; }

    /// <summary>
    /// Gets the context the hedged attempt runs with: a copy of the caller's properties with its own token, which is
    /// cancelled when another attempt wins. Pass it to <see cref="Callback"/>.
    /// </summary>
    public ResilienceContext ActionContext { get; }

    /// <summary>Gets the number of the hedged attempt: 1 for the first (the first attempt is 0).</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets the rest of the pipeline (the original work); call it with <see cref="ActionContext"/>.</summary>
    public Func<ResilienceContext, ValueTask<Outcome<TResult>>> Callback { get; }
}
