namespace Resilience.Chaos;

/// <summary>
/// The arguments of <see cref="ChaosLatencyStrategyOptions.OnLatencyInjected"/>.
/// </summary>
public readonly struct OnLatencyInjectedArguments
{
    /// <summary>Initializes a new instance of the <see cref="OnLatencyInjectedArguments"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="latency">The injected latency.</param>
    public OnLatencyInjectedArguments(ResilienceContext context, TimeSpan latency)
    {
        Context = context;
        Latency = latency;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the injected latency.</summary>
    public TimeSpan Latency { get; }
}
