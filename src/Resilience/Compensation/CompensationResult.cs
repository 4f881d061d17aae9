namespace Resilience.Compensation;

/// <summary>
/// The outcome of a rollback: every step that ran, in the order it ran (last registered first).
/// </summary>
public sealed class CompensationResult
{
    internal CompensationResult(string operationId, IReadOnlyList<CompensationStepResult> steps, string? parkedEntryId)
    {
        OperationId = operationId;
        Steps = steps;
        ParkedEntryId = parkedEntryId;
    }

    /// <summary>Gets the operation that was rolled back.</summary>
    public string OperationId { get; }

    /// <summary>Gets each step's outcome, in the order the steps ran.</summary>
    public IReadOnlyList<CompensationStepResult> Steps { get; }

    /// <summary>Gets a value indicating whether every step that ran succeeded and none was parked.</summary>
    public bool Succeeded => ParkedEntryId is null && Steps.All(s => s.Succeeded);

    /// <summary>Gets the dead letter entry holding the rest of the rollback, when it was parked.</summary>
    public string? ParkedEntryId { get; }

    /// <summary>
    /// Throws one <see cref="CompensationFailedException"/> aggregating every failed step, if any failed.
    /// </summary>
    /// <exception cref="CompensationFailedException">At least one step failed.</exception>
    public void ThrowIfFailed()
    {
        var failures = Steps.Where(s => !s.Succeeded).Select(s => s.Exception!).ToList();
        if (failures.Count > 0 || ParkedEntryId is not null)
        {
            throw new CompensationFailedException(this, failures);
        }
    }
}
