namespace Resilience.Chaos;

/// <summary>
/// The arguments of <see cref="ChaosBehaviorStrategyOptions.OnBehaviorInjected"/>.
/// </summary>
public readonly struct OnBehaviorInjectedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnBehaviorInjectedArguments"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    public OnBehaviorInjectedArguments(ResilienceContext context) => Context = context;

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }
}
