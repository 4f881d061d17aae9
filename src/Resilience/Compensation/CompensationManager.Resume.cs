using Resilience.Compensation.Internal;
using Resilience.DeadLetter;

namespace Resilience.Compensation;

/// <summary>Resuming a parked or interrupted rollback: by the dead letter processor or by hand.</summary>
public sealed partial class CompensationManager
{
    // Parked entries whose rollback a manual resume finished before the processor got to them.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _resolvedEntries = new(StringComparer.Ordinal);

    /// <summary>
    /// Resumes the rollback of an operation that was parked or that a crash interrupted, now: the steps not yet
    /// compensated run last-in first-out, under the operation's lease (a concurrent recovery, processor attempt or
    /// resume waits, then finds nothing left to run). A failing step stops the walk; the rest stays parked.
    /// </summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="cancellationToken">Cancels waiting for the operation's other runner, if any.</param>
    /// <returns>The result; empty when the operation is unknown, finished, or still owned by its open scope.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The journal names a handler that is not registered.</exception>
    public async Task<CompensationResult> ResumeAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return await ResumeCoreAsync(operationId, cancellationToken).ConfigureAwait(false) ?? new CompensationResult(operationId, [], null);
    }

    /// <summary>Resumes under the lease; <see langword="null"/> when neither memory nor the journal knows the operation.</summary>
    private async Task<CompensationResult?> ResumeCoreAsync(string operationId, CancellationToken cancellationToken)
    {
        using var lease = await _leases.AcquireAsync(operationId, cancellationToken).ConfigureAwait(false);
        if (_live.ContainsKey(operationId))
        {
            // Its scope is open in this process: not interrupted, not parked; the scope decides.
            return new CompensationResult(operationId, [], null);
        }

        if (_parked.TryGetValue(operationId, out var parked))
        {
            // Parked by this process: memory still has its delegate steps.
            var durable = _journal is not null && await _journal.FindAsync(operationId).ConfigureAwait(false) is not null;
            var remaining = parked.Remaining;
            if (durable)
            {
                if (await ClaimAsync(operationId).ConfigureAwait(false) is not { } claimed)
                {
                    // Finished meanwhile by another runner of a shared journal.
                    _parked.TryRemove(operationId, out _);
                    return new CompensationResult(operationId, [], null);
                }

                // Another instance sharing the journal may have compensated some of them since this process parked it.
                remaining = [.. remaining.Where(s => !claimed.CompensatedSteps.Contains(s.Index))];
            }

            return await WalkAsync(operationId, [.. remaining], durable, parked.EntryId, stopOnFailure: true).ConfigureAwait(false);
        }

        if (_journal is not null && await _journal.FindAsync(operationId).ConfigureAwait(false) is { } operation)
        {
            // Unregistered handlers fail before the claim is taken, so a misconfigured instance leaves it to the others.
            _ = PendingFromJournal(operation);
            if (await ClaimAsync(operationId).ConfigureAwait(false) is not { } claimed)
            {
                return null;
            }

            return await WalkAsync(operationId, PendingFromJournal(claimed), durable: true, claimed.ParkedEntryId, stopOnFailure: true).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>The dead letter handler of parked rollbacks: one attempt resumes the rollback once.</summary>
    private async ValueTask ResumeParkedAsync(DeadLetterAttempt attempt, CancellationToken cancellationToken)
    {
        var payload = ReadPayload(attempt.Entry);
        var operationId = payload.OperationId ?? throw new DeadLetterPayloadException($"Parked rollback entry '{attempt.Entry.Id}' names no operation.");
        var result = await ResumeCoreAsync(operationId, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            if (_resolvedEntries.TryRemove(attempt.Entry.Id, out _))
            {
                // Finished meanwhile by a manual resume in this process.
                return;
            }

            if (payload.Journaled && _journal is not null)
            {
                // Journaled, and no longer in the journal: its rollback finished (recovery or another resume did it).
                return;
            }

            throw new DeadLetterPayloadException($"The compensations of operation '{operationId}' are no longer in memory (the process restarted) and are not in the journal; they cannot be resumed.");
        }

        if (result.Steps.FirstOrDefault(s => !s.Succeeded) is { } failed)
        {
            throw new CompensationFailedException($"Resuming the rollback of '{operationId}' failed again at step {failed.Index}.", failed.Exception!);
        }

        if (result.LostSteps.Count > 0)
        {
            throw new CompensationFailedException(
                $"The rollback of '{operationId}' stopped at lost step {result.LostSteps[0]}: it was registered as a delegate compensation and its process stopped. Undo it by hand, call CompensationManager.AcknowledgeLostStepsAsync, then replay this entry.");
        }
    }
}
