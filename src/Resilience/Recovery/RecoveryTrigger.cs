namespace Resilience.Recovery;

/// <summary>
/// What started a recovery run. Only <see cref="Automatic"/> runs are subject to the workflow's
/// <see cref="RecoveryRunPolicy"/>: a person or a schedule that asks for a run gets one.
/// </summary>
public enum RecoveryTrigger
{
    /// <summary>A signal (health check, breaker, dead letter backlog) asked for it, usually through a <see cref="RecoveryMonitor"/>.</summary>
    Automatic = 0,

    /// <summary>An operator asked for it.</summary>
    Manual = 1,

    /// <summary>A schedule asked for it (for example a nightly integrity check).</summary>
    Scheduled = 2,

    /// <summary>An operator asked for it as an emergency; like <see cref="Manual"/>, it bypasses the run policy.</summary>
    Emergency = 3,
}
