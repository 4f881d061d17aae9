namespace Resilience.Chaos;

/// <summary>
/// Options of the latency chaos strategy: an injected call waits (on the pipeline's <see cref="TimeProvider"/>)
/// before it runs.
/// </summary>
public class ChaosLatencyStrategyOptions : ChaosStrategyOptions
{
    /// <summary>Gets or sets the latency added to an injected call.</summary>
    /// <value>The default value is 30 seconds. It must not be negative.</value>
    public TimeSpan Latency { get; set; } = ChaosConstants.DefaultLatency;

    /// <summary>
    /// Gets or sets a generator of the latency per injected call; it replaces <see cref="Latency"/>. Zero or a
    /// negative value adds none.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<see cref="Latency"/> is used).</value>
    public Func<ChaosGeneratorArguments, ValueTask<TimeSpan>>? LatencyGenerator { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when latency is injected, before the wait. An exception it throws is reported to
    /// telemetry, not to the caller.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnLatencyInjectedArguments, ValueTask>? OnLatencyInjected { get; set; }
}
