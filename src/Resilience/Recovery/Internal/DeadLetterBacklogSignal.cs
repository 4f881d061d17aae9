using Resilience.DeadLetter;

namespace Resilience.Recovery.Internal;

/// <summary>Unhealthy while the waiting dead letters (of one type, or all) reach a threshold.</summary>
internal sealed class DeadLetterBacklogSignal(DeadLetterQueue queue, int threshold, string workflowName, string? operationType)
    : RecoverySignal(operationType is null ? "dead-letter-backlog" : "dead-letter-backlog:" + operationType, workflowName)
{
    public override async ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken)
    {
        var waiting = operationType is null
            ? queue.GetStatistics().Pending

            // The running counts are not kept per type and status, so a type's backlog is a (bounded) query: asynchronous,
            // so a database store answers it with a count instead of the queue reading every entry.
            : await CountAsync(DeadLetterStatus.Pending, cancellationToken).ConfigureAwait(false)
                + await CountAsync(DeadLetterStatus.Retrying, cancellationToken).ConfigureAwait(false);
        return waiting >= threshold
            ? RecoverySignalResult.Unhealthy($"{waiting} dead letter(s) waiting{(operationType is null ? string.Empty : $" of type '{operationType}'")}, threshold {threshold}")
            : RecoverySignalResult.Healthy;
    }

    private async ValueTask<int> CountAsync(DeadLetterStatus status, CancellationToken cancellationToken)
        => (await queue.QueryAsync(new DeadLetterQuery { OperationType = operationType, Status = status, Take = 1 }, cancellationToken).ConfigureAwait(false)).TotalMatches;
}
