namespace Resilience.Recovery;

/// <summary>
/// How one step of a recovery run ended.
/// </summary>
public enum RecoveryStepStatus
{
    /// <summary>The step never started: an earlier step failed or the run was cancelled first.</summary>
    NotRun = 0,

    /// <summary>The step succeeded (possibly after retries).</summary>
    Succeeded = 1,

    /// <summary>The step failed after its attempts (or timed out); an optional step's failure does not stop the run.</summary>
    Failed = 2,

    /// <summary>The run was cancelled while the step ran.</summary>
    Cancelled = 3,
}
