namespace Resilience.Chaos;

/// <summary>
/// The arguments of every chaos generator (<c>EnabledGenerator</c>, <c>InjectionRateGenerator</c>,
/// <c>FaultGenerator</c>, <c>OutcomeGenerator</c>, <c>LatencyGenerator</c>, <c>BehaviorGenerator</c>).
/// </summary>
public readonly struct ChaosGeneratorArguments
{
    /// <summary>Initializes a new instance of the <see cref="ChaosGeneratorArguments"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    public ChaosGeneratorArguments(ResilienceContext context) => Context = context;

    /// <summary>Gets the context of the execution (its operation key, properties and token).</summary>
    public ResilienceContext Context { get; }
}
