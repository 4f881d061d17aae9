namespace Resilience.Chaos;

/// <summary>
/// The arguments of <see cref="ChaosOutcomeStrategyOptions{TResult}.OnOutcomeInjected"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnOutcomeInjectedArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="OnOutcomeInjectedArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The injected outcome.</param>
    public OnOutcomeInjectedArguments(ResilienceContext context, Outcome<TResult> outcome)
    {
        Context = context;
        Outcome = outcome;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the injected outcome.</summary>
    public Outcome<TResult> Outcome { get; }
}
