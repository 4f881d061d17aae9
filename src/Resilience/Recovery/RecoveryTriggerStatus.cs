namespace Resilience.Recovery;

/// <summary>
/// What a trigger did.
/// </summary>
public enum RecoveryTriggerStatus
{
    /// <summary>A new run started.</summary>
    Started = 0,

    /// <summary>A run of the workflow was already in progress; it is returned instead of starting a second one.</summary>
    AlreadyRunning = 1,

    /// <summary>The workflow's run policy does not allow an automatic run yet; nothing started.</summary>
    Deferred = 2,
}
