namespace Resilience.Recovery;

/// <summary>
/// What <see cref="RecoveryWorkflow.Trigger"/> did: started a run, returned the one in progress, or deferred.
/// </summary>
public sealed class RecoveryTriggerResult
{
    private RecoveryTriggerResult(RecoveryTriggerStatus status, RecoveryRun? run, DateTimeOffset? notBefore, string? reason)
    {
        Status = status;
        Run = run;
        NotBefore = notBefore;
        Reason = reason;
    }

    /// <summary>Gets what the trigger did.</summary>
    public RecoveryTriggerStatus Status { get; }

    /// <summary>Gets the run started, or the one already in progress; <see langword="null"/> when deferred.</summary>
    public RecoveryRun? Run { get; }

    /// <summary>Gets the earliest time the run policy would allow an automatic run, when deferred and known.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>Gets why the run policy deferred, when it did.</summary>
    public string? Reason { get; }

    internal static RecoveryTriggerResult Started(RecoveryRun run) => new(RecoveryTriggerStatus.Started, run, null, null);

    internal static RecoveryTriggerResult AlreadyRunning(RecoveryRun run) => new(RecoveryTriggerStatus.AlreadyRunning, run, null, null);

    internal static RecoveryTriggerResult Deferred(RecoveryRunDecision decision) => new(RecoveryTriggerStatus.Deferred, null, decision.NotBefore, decision.Reason);
}
