namespace Resilience.Compensation;

/// <summary>
/// What a rollback does when a compensation still fails after its retries.
/// </summary>
public enum CompensationFailurePolicy
{
    /// <summary>Run the remaining compensations anyway; the result lists every step's outcome.</summary>
    ContinueOnError = 0,

    /// <summary>
    /// Stop, and park the remaining stack (the failed step and everything below it) in the dead letter queue as one
    /// entry; replaying it resumes the rollback, last-in first-out, from the failed step.
    /// </summary>
    StopAndPark = 1,
}
