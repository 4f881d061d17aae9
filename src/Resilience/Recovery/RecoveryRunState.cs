namespace Resilience.Recovery;

/// <summary>
/// Where a recovery run stands.
/// </summary>
public enum RecoveryRunState
{
    /// <summary>Nothing is running (a workflow's state between runs).</summary>
    Idle = 0,

    /// <summary>Steps are running (or completed steps are being compensated).</summary>
    InProgress = 1,

    /// <summary>Every required step succeeded (optional steps may have failed).</summary>
    Succeeded = 2,

    /// <summary>A required step failed; the steps completed before it were compensated, last first.</summary>
    Failed = 3,

    /// <summary>The run was cancelled; the steps completed before it were compensated, last first.</summary>
    Cancelled = 4,
}
