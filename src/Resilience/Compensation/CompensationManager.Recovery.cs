using Resilience.Compensation.Internal;

namespace Resilience.Compensation;

/// <summary>Recovery: what a crash interrupted, found in the journal at start-up.</summary>
public sealed partial class CompensationManager
{
    /// <summary>
    /// Resumes what a crash interrupted: every journaled operation that neither completed nor finished rolling back is
    /// rolled back (from the last step not yet compensated, last-in first-out), parked, or forgotten, as
    /// <see cref="CompensationOptions.RecoveryPolicy"/> says. Register the handlers first.
    /// </summary>
    /// <remarks>
    /// An operation already parked is left to its dead letter entry and reported with its
    /// <see cref="CompensationResult.ParkedEntryId"/>. A step registered as a delegate cannot be run after a restart:
    /// the rollback stops there, the step is listed in <see cref="CompensationResult.LostSteps"/> and the rest is
    /// parked with that reason (or, without a dead letter queue, left in the journal and reported again).
    /// Each operation is run under its lease, so a concurrent resume of the same operation never runs a step twice.
    /// </remarks>
    /// <param name="cancellationToken">Stops before the next operation.</param>
    /// <returns>The results of the operations rolled back, parked, or left parked.</returns>
    /// <exception cref="InvalidOperationException">There is no journal, or the journal names handlers that are not registered (nothing is run then).</exception>
    public async Task<IReadOnlyList<CompensationResult>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var journal = _journal ?? throw new InvalidOperationException("Recovery needs a journal: set CompensationOptions.JournalDirectory or CompensationOptions.JournalFactory.");
        var unfinished = (await journal.GetUnfinishedAsync().ConfigureAwait(false)).Where(o => !_live.ContainsKey(o.Id)).ToList();
        var missing = MissingHandlers(unfinished);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The compensation journal names handlers that are not registered: {string.Join(", ", missing.Select(m => $"'{m}'"))}. Register them before RecoverAsync.");
        }

        var results = new List<CompensationResult>();
        foreach (var candidate in unfinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var lease = await _leases.AcquireAsync(candidate.Id, cancellationToken).ConfigureAwait(false);

            // Read again under the lease: another runner may have finished or parked it meanwhile.
            if (_live.ContainsKey(candidate.Id) || await journal.FindAsync(candidate.Id).ConfigureAwait(false) is not { } operation)
            {
                continue;
            }

            if (operation.ParkedEntryId is { } parkedId)
            {
                results.Add(new CompensationResult(operation.Id, [], parkedId, operation.LostIndices()));
                continue;
            }

            if (_recoveryPolicy == CompensationRecoveryPolicy.Ignore)
            {
                // Refused by a shared journal while another instance holds the operation: it is not interrupted.
                await journal.EndAsync(operation.Id, completed: false).ConfigureAwait(false);
                continue;
            }

            // With a shared journal another instance may own the operation (its scope is open there, or it runs the
            // rollback); its claim is leased, and the operation is left to it until the lease expires.
            if (await journal.TryClaimAsync(operation.Id).ConfigureAwait(false) is not { } claimed)
            {
                continue;
            }

            var pending = PendingFromJournal(claimed);
            results.Add(_recoveryPolicy == CompensationRecoveryPolicy.Park && pending.Count > 0
                ? await StopAsync(operation.Id, pending, 0, durable: true, parkedEntryId: null, [], new InvalidOperationException("The process stopped before this operation completed or rolled back.")).ConfigureAwait(false)
                : await WalkAsync(operation.Id, pending, durable: true, parkedEntryId: null, stopOnFailure: _policy == CompensationFailurePolicy.StopAndPark).ConfigureAwait(false));
        }

        return results;
    }
}
