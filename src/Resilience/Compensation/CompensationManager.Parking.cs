using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Resilience.Compensation.Internal;
using Resilience.DeadLetter;

namespace Resilience.Compensation;

/// <summary>Parking: the rest of a stopped rollback goes to the dead letter queue as one entry.</summary>
public sealed partial class CompensationManager
{
    private readonly ConcurrentDictionary<string, ParkedRollback> _parked = new(StringComparer.Ordinal);

    /// <summary>
    /// Stops a walk at <paramref name="stopAt"/>: the rest (that step and everything below it) is parked in a new
    /// dead letter entry, or stays with the entry it came from. Must hold the operation's lease.
    /// </summary>
    private async Task<CompensationResult> StopAsync(string operationId, List<PendingStep> pending, int stopAt, bool durable, string? parkedEntryId, List<CompensationStepResult> results, Exception reason)
    {
        var remaining = pending.GetRange(stopAt, pending.Count - stopAt);
        IReadOnlyList<int> lost = [.. remaining.Where(s => s.IsLost).Select(s => s.Index)];
        var entryId = parkedEntryId;
        if (entryId is null && _deadLetters is not null)
        {
            // The entry first, then the journal's note of it: a crash in between leaves an entry whose resume finds
            // the operation already rolled back by recovery, never an operation parked in an entry that does not exist.
            entryId = await ParkAsync(operationId, remaining[0].Index, durable, lost, reason).ConfigureAwait(false);
            if (durable)
            {
                await _journal!.ParkAsync(operationId, entryId).ConfigureAwait(false);
            }
        }
        else if (durable)
        {
            // Stays with its entry (or, with no queue, in the journal for the next recovery to report).
            await _journal!.ReleaseAsync(operationId).ConfigureAwait(false);
        }

        if (entryId is not null)
        {
            _parked[operationId] = new ParkedRollback(remaining, entryId);
        }

        return new CompensationResult(operationId, results, entryId, lost);
    }

    private async Task<string> ParkAsync(string operationId, int fromStep, bool journaled, IReadOnlyList<int> lost, Exception reason)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new ParkedRollbackPayload(operationId, fromStep, journaled, lost), ParkedRollbackJsonContext.Default.ParkedRollbackPayload);
        var entry = await _deadLetters!.AddAsync(
            ParkedOperationType,
            payload,
            reason,
            DeadLetterFailureReason.MaxRetriesExceeded,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["operationId"] = operationId, ["fromStep"] = fromStep.ToString(CultureInfo.InvariantCulture) },
            CancellationToken.None).ConfigureAwait(false);
        return entry.Id;
    }

    private static ParkedRollbackPayload ReadPayload(DeadLetterEntry entry)
    {
        try
        {
            return JsonSerializer.Deserialize(entry.Payload.Span, ParkedRollbackJsonContext.Default.ParkedRollbackPayload)
                ?? throw new DeadLetterPayloadException($"Parked rollback entry '{entry.Id}' has an empty payload.");
        }
        catch (JsonException ex)
        {
            throw new DeadLetterPayloadException($"Parked rollback entry '{entry.Id}' has a payload that is not a parked rollback: {ex.Message}", ex);
        }
    }
}
