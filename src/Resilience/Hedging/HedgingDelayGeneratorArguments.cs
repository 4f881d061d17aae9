namespace Resilience.Hedging;

/// <summary>
/// The arguments of <see cref="HedgingStrategyOptions{TResult}.DelayGenerator"/>.
/// </summary>
public readonly struct HedgingDelayGeneratorArguments
{
    /// <summary>Initializes a new instance of the <see cref="HedgingDelayGeneratorArguments"/> struct.</summary>
    /// <param name="context">The caller's context of the execution.</param>
    /// <param name="attemptNumber">The number of the attempt the delay precedes: 1 for the first hedged attempt.</param>
    public HedgingDelayGeneratorArguments(ResilienceContext context, int attemptNumber)
    {
        Context = context;
        AttemptNumber = attemptNumber;
    }

    /// <summary>Gets the caller's context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the number of the attempt the delay precedes: 1 for the first hedged attempt (the first attempt is 0).</summary>
    public int AttemptNumber { get; }
}
