namespace Resilience.Chaos;

/// <summary>
/// Options of the behaviour chaos strategy: an injected call first runs a generated behaviour (restart a dependency,
/// fill a disk, drop a connection), then runs normally.
/// </summary>
public class ChaosBehaviorStrategyOptions : ChaosStrategyOptions
{
    /// <summary>
    /// Gets or sets the behaviour run before an injected call. It must be set. An exception it throws fails the call
    /// with that exception.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ChaosGeneratorArguments, ValueTask>? BehaviorGenerator { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when a behaviour is injected, after it ran. An exception it throws is reported
    /// to telemetry, not to the caller.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnBehaviorInjectedArguments, ValueTask>? OnBehaviorInjected { get; set; }
}
