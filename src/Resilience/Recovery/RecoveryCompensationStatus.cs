namespace Resilience.Recovery;

/// <summary>
/// Whether a completed step was compensated when a later step failed or the run was cancelled.
/// </summary>
public enum RecoveryCompensationStatus
{
    /// <summary>Not compensated: the run succeeded, the step has no compensation, or it did not complete.</summary>
    None = 0,

    /// <summary>The compensation ran and succeeded.</summary>
    Succeeded = 1,

    /// <summary>The compensation failed after its attempts.</summary>
    Failed = 2,
}
