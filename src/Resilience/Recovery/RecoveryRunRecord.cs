namespace Resilience.Recovery;

/// <summary>
/// A finished recovery run, as kept in the <see cref="RecoveryHistory"/>.
/// </summary>
public sealed class RecoveryRunRecord
{
    internal RecoveryRunRecord(RecoveryRun run, RecoveryRunState state, DateTimeOffset endedAt, IReadOnlyList<RecoveryStepRecord> steps, Exception? error)
        : this(run.Id, run.WorkflowName, run.Trigger, run.TriggeredBy, run.StartedAt, endedAt, state, steps, error)
    {
    }

    internal RecoveryRunRecord(string runId, string workflowName, RecoveryTrigger trigger, string? triggeredBy, DateTimeOffset startedAt, DateTimeOffset endedAt, RecoveryRunState state, IReadOnlyList<RecoveryStepRecord> steps, Exception? error)
    {
        RunId = runId;
        WorkflowName = workflowName;
        Trigger = trigger;
        TriggeredBy = triggeredBy;
        StartedAt = startedAt;
        EndedAt = endedAt;
        State = state;
        Steps = steps;
        Error = error;
    }

    /// <summary>Gets the run's id (time-ordered).</summary>
    public string RunId { get; }

    /// <summary>Gets the workflow's name.</summary>
    public string WorkflowName { get; }

    /// <summary>Gets what started the run.</summary>
    public RecoveryTrigger Trigger { get; }

    /// <summary>Gets who or what started the run, if it was said.</summary>
    public string? TriggeredBy { get; }

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets when the run ended (compensations included).</summary>
    public DateTimeOffset EndedAt { get; }

    /// <summary>Gets how long the run took.</summary>
    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>Gets how the run ended: <see cref="RecoveryRunState.Succeeded"/>, <see cref="RecoveryRunState.Failed"/> or <see cref="RecoveryRunState.Cancelled"/>.</summary>
    public RecoveryRunState State { get; }

    /// <summary>Gets every step's outcome, in the workflow's order (steps that never ran included).</summary>
    public IReadOnlyList<RecoveryStepRecord> Steps { get; }

    /// <summary>
    /// Gets the failure of the required step that stopped the run, when it failed. In a run read back from a persisted
    /// history it is a <see cref="RecordedRecoveryFailureException"/> (the original type's name and message).
    /// </summary>
    public Exception? Error { get; }
}
