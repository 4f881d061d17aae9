namespace Resilience.DeadLetter;

/// <summary>
/// What a store shared by several processes adds so that their processors split the work between them: a processor
/// whose store implements it claims due entries under a lease instead of scheduling every entry it can see.
/// </summary>
/// <remarks>
/// A claim marks each entry <see cref="DeadLetterStatus.Retrying"/>, counts the attempt, raises its version and leases
/// it to this store's instance until a given time; the processor renews the lease while the handler runs. An entry
/// whose lease expired (its instance died or stalled) is claimable again, and the attempt it was leased for stays
/// counted. The outcome of an attempt is written with <see cref="IDeadLetterStore.TryUpdateAsync"/> on the version the
/// claim returned, so a late result from a lease another instance has taken over is rejected, and so is the result of
/// an attempt an operator discarded or purged meanwhile. Delivery is at least once: a handler may run again for an
/// entry whose previous attempt's outcome was lost with its process.
/// </remarks>
public interface IDeadLetterLeaseStore
{
    /// <summary>Gets how long a claim or a renewal leases an entry.</summary>
    TimeSpan LeaseDuration { get; }

    /// <summary>Gets how often an idle processor looks for due entries when no change notification wakes it.</summary>
    TimeSpan PollInterval { get; }

    /// <summary>
    /// Claims up to <paramref name="maxEntries"/> entries of the given operation types that are due at
    /// <paramref name="now"/>: pending ones whose next attempt is due, and retrying ones whose lease has expired.
    /// Entries another instance is claiming at the same moment are skipped, never waited for.
    /// </summary>
    /// <param name="operationTypes">The operation types the caller can run.</param>
    /// <param name="maxEntries">The most entries to claim.</param>
    /// <param name="now">The caller's current time, which due times and lease expiries are compared with.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The claimed entries, <see cref="DeadLetterStatus.Retrying"/>, with the attempt counted and their new versions.</returns>
    ValueTask<IReadOnlyList<DeadLetterEntry>> ClaimDueAsync(IReadOnlyCollection<string> operationTypes, int maxEntries, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the lease of a claimed entry to <paramref name="now"/> plus <see cref="LeaseDuration"/>, only if it is
    /// still at <paramref name="entry"/>'s version and leased to this instance. The version does not change.
    /// </summary>
    /// <param name="entry">The entry as claimed.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="cancellationToken">Cancels the renewal.</param>
    /// <returns><see langword="false"/> when the lease is lost: the entry changed, was removed or was taken over.</returns>
    ValueTask<bool> TryRenewLeaseAsync(DeadLetterEntry entry, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Gets the earliest time an entry of the given operation types becomes claimable (a due time or a lease expiry).</summary>
    /// <param name="operationTypes">The operation types the caller can run.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The time, or <see langword="null"/> when nothing of those types waits.</returns>
    ValueTask<DateTimeOffset?> GetNextClaimableAtAsync(IReadOnlyCollection<string> operationTypes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <see cref="DeadLetterStatus.Recovered"/> and <see cref="DeadLetterStatus.Discarded"/> entries last
    /// changed before a time, and <see cref="DeadLetterStatus.Archived"/> ones last changed before another.
    /// </summary>
    /// <param name="updatedBefore">The retention cut-off (<see cref="DeadLetterQueueOptions.Retention"/>).</param>
    /// <param name="archivedBefore">The archive retention cut-off (<see cref="DeadLetterQueueOptions.ArchiveRetention"/>); <see langword="null"/> keeps archived entries.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>How many entries were deleted.</returns>
    ValueTask<int> DeleteResolvedAsync(DateTimeOffset updatedBefore, DateTimeOffset? archivedBefore = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a callback raised when another process may have added or released work (for example a database
    /// notification); the processor then looks for due entries before its next poll.
    /// </summary>
    /// <param name="callback">The callback; it must return quickly.</param>
    /// <returns>Disposing it ends the subscription.</returns>
    IDisposable SubscribeToChanges(Action callback);
}
