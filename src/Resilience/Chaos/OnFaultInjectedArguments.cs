namespace Resilience.Chaos;

/// <summary>
/// The arguments of <see cref="ChaosFaultStrategyOptions.OnFaultInjected"/>.
/// </summary>
public readonly struct OnFaultInjectedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnFaultInjectedArguments"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="fault">The injected exception.</param>
    public OnFaultInjectedArguments(ResilienceContext context, Exception fault)
    {
        Context = context;
        Fault = fault;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the injected exception.</summary>
    public Exception Fault { get; }
}
