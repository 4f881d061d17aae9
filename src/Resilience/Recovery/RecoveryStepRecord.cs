namespace Resilience.Recovery;

/// <summary>
/// How one step of a finished run went.
/// </summary>
public sealed class RecoveryStepRecord
{
    internal RecoveryStepRecord(string name, bool optional, RecoveryStepStatus status, int attempts, DateTimeOffset? startedAt, TimeSpan duration, Exception? error)
    {
        Name = name;
        Optional = optional;
        Status = status;
        Attempts = attempts;
        StartedAt = startedAt;
        Duration = duration;
        Error = error;
    }

    /// <summary>Gets the step's name.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the step was optional (its failure did not stop the run).</summary>
    public bool Optional { get; }

    /// <summary>Gets how the step ended.</summary>
    public RecoveryStepStatus Status { get; }

    /// <summary>Gets how many attempts were made (0 when it did not run).</summary>
    public int Attempts { get; }

    /// <summary>Gets when the step started, if it did.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>Gets how long the step ran, retries included.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets the last failure, when the step failed (a <see cref="RecordedRecoveryFailureException"/> once read back from a persisted history).</summary>
    public Exception? Error { get; }

    /// <summary>Gets whether the step was compensated.</summary>
    public RecoveryCompensationStatus Compensation { get; private set; }

    /// <summary>Gets the compensation's last failure, when it failed.</summary>
    public Exception? CompensationError { get; private set; }

    internal void Restore(RecoveryCompensationStatus compensation, Exception? compensationError)
    {
        Compensation = compensation;
        CompensationError = compensationError;
    }

    internal void Compensated(bool succeeded, Exception? error)
    {
        Compensation = succeeded ? RecoveryCompensationStatus.Succeeded : RecoveryCompensationStatus.Failed;
        CompensationError = error;
    }
}
