namespace Resilience.Compensation;

/// <summary>
/// The outcome of a rollback: every step that ran, in the order it ran (last registered first).
/// </summary>
public sealed class CompensationResult
{
    internal CompensationResult(string operationId, IReadOnlyList<CompensationStepResult> steps, string? parkedEntryId, IReadOnlyList<int>? lostSteps = null)
    {
        OperationId = operationId;
        Steps = steps;
        ParkedEntryId = parkedEntryId;
        LostSteps = lostSteps ?? [];
    }

    /// <summary>Gets the operation that was rolled back.</summary>
    public string OperationId { get; }

    /// <summary>Gets each step's outcome, in the order the steps ran.</summary>
    public IReadOnlyList<CompensationStepResult> Steps { get; }

    /// <summary>
    /// Gets the steps whose compensation was lost with the process that registered them (delegate steps have no
    /// durable identity), highest index first. The rollback stopped at the first of them: someone must undo them by
    /// hand and call <see cref="CompensationManager.AcknowledgeLostStepsAsync"/>. Empty outside recovery.
    /// </summary>
    public IReadOnlyList<int> LostSteps { get; }

    /// <summary>Gets a value indicating whether every step that ran succeeded, none was lost and none was parked.</summary>
    public bool Succeeded => ParkedEntryId is null && LostSteps.Count == 0 && AllStepsSucceeded();

    /// <summary>Gets the dead letter entry holding the rest of the rollback, when it was parked.</summary>
    public string? ParkedEntryId { get; }

    // A loop over the list, not LINQ's All: reading the result allocates no enumerator.
    private bool AllStepsSucceeded()
    {
        var steps = Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            if (!steps[i].Succeeded)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Throws one <see cref="CompensationFailedException"/> aggregating every failed step, if any failed, or if the
    /// rollback was parked or stopped at a lost step.
    /// </summary>
    /// <exception cref="CompensationFailedException">At least one step failed, or the rollback did not finish.</exception>
    public void ThrowIfFailed()
    {
        var failures = Steps.Where(s => !s.Succeeded).Select(s => s.Exception!).ToList();
        if (failures.Count > 0 || ParkedEntryId is not null || LostSteps.Count > 0)
        {
            throw new CompensationFailedException(this, failures);
        }
    }
}
