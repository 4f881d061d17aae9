using Microsoft.Extensions.Logging;

namespace Resilience.Recovery;

/// <summary>
/// Options of a <see cref="RecoveryMonitor"/>.
/// </summary>
public sealed class RecoveryMonitorOptions
{
    /// <summary>Gets or sets how often the signals are checked.</summary>
    /// <value>The default value is 30 seconds. It must be greater than zero.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time source of the interval.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where unhealthy signals and failed checks are logged (category <c>Resilience.Recovery</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets the signals to check, each naming the workflow it triggers.</summary>
    public IList<RecoverySignal> Signals { get; } = [];
}
