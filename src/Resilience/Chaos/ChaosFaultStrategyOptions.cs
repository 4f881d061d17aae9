namespace Resilience.Chaos;

/// <summary>
/// Options of the fault chaos strategy: an injected call fails with the generated exception instead of running.
/// </summary>
public class ChaosFaultStrategyOptions : ChaosStrategyOptions
{
    /// <summary>
    /// Gets or sets the generator of the exception an injected call fails with; returning <see langword="null"/> runs
    /// the call normally. It must be set.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ChaosGeneratorArguments, ValueTask<Exception?>>? FaultGenerator { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when a fault is injected. An exception it throws is reported to telemetry, not
    /// to the caller.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnFaultInjectedArguments, ValueTask>? OnFaultInjected { get; set; }
}
