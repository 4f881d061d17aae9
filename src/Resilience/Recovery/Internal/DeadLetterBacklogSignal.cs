using Resilience.DeadLetter;

namespace Resilience.Recovery.Internal;

/// <summary>Unhealthy while the waiting dead letters (of one type, or all) reach a threshold.</summary>
internal sealed class DeadLetterBacklogSignal(DeadLetterQueue queue, int threshold, string workflowName, string? operationType)
    : RecoverySignal(operationType is null ? "dead-letter-backlog" : "dead-letter-backlog:" + operationType, workflowName)
{
    public override ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken)
    {
        var waiting = operationType is null
            ? queue.GetStatistics().Pending

            // The running counts are not kept per type and status, so a type's backlog is a (bounded) query.
            : Count(DeadLetterStatus.Pending) + Count(DeadLetterStatus.Retrying);
        return new(waiting >= threshold
            ? RecoverySignalResult.Unhealthy($"{waiting} dead letter(s) waiting{(operationType is null ? string.Empty : $" of type '{operationType}'")}, threshold {threshold}")
            : RecoverySignalResult.Healthy);
    }

    private int Count(DeadLetterStatus status) => queue.Query(new DeadLetterQuery { OperationType = operationType, Status = status, Take = 1 }).TotalMatches;
}
