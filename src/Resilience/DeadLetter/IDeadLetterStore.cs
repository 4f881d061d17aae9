namespace Resilience.DeadLetter;

/// <summary>
/// Where a dead letter queue keeps its entries. Implementations are thread-safe; a write completes only
/// when it is as durable as the store promises, and readers only ever see completed writes.
/// </summary>
/// <remarks>
/// Every entry carries a <see cref="DeadLetterEntry.Version"/> that the store raises on every change. The conditional
/// writes (<see cref="TryUpdateAsync"/>, <see cref="TryDeleteAsync"/>) apply only when the stored entry is still at
/// the version the caller read, decided in the store's own order of writes: that is how an operator's discard or
/// purge wins over the result of an attempt that was running meanwhile, and how nothing deleted is ever brought back.
/// </remarks>
public interface IDeadLetterStore : IAsyncDisposable
{
    /// <summary>Gets the number of entries.</summary>
    int Count { get; }

    /// <summary>Gets the total payload bytes of all entries.</summary>
    long PayloadBytes { get; }

    /// <summary>Gets the total encoded bytes of all entries (<see cref="DeadLetterLimits.EncodedSize"/>: payload, context and error text).</summary>
    long SizeBytes { get; }

    /// <summary>
    /// Inserts or replaces entries (matched by id), unconditionally, as one durable write. The stored entries get new
    /// versions (read them back with <see cref="Find"/>).
    /// </summary>
    /// <param name="entries">The entries, in the order to apply them.</param>
    /// <param name="cancellationToken">Cancels waiting for the write; the write itself may still happen.</param>
    /// <returns>A task that completes when the write is durable.</returns>
    /// <exception cref="DeadLetterRejectedException">An entry breaks a <see cref="DeadLetterLimits"/> limit; nothing is written.</exception>
    ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces an entry only if the stored one exists and is still at <paramref name="entry"/>'s
    /// <see cref="DeadLetterEntry.Version"/>; never inserts.
    /// </summary>
    /// <param name="entry">The new content, with the version it was derived from.</param>
    /// <param name="cancellationToken">Cancels waiting for the write; the write itself may still happen.</param>
    /// <returns>The stored entry with its new version, or <see langword="null"/> when the entry changed or was removed meanwhile.</returns>
    ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes entries by id, as one durable write. Unknown ids are ignored.
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">Cancels waiting for the write.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes each entry only if it is still at the version given, as one durable write.
    /// </summary>
    /// <param name="entries">The entries as read (id and version).</param>
    /// <param name="cancellationToken">Cancels waiting for the write.</param>
    /// <returns>How many entries were removed.</returns>
    ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets an entry by id.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    DeadLetterEntry? Find(string id);

    /// <summary>
    /// Gets a point-in-time copy of every entry, ordered by id (creation time).
    /// </summary>
    /// <returns>The entries.</returns>
    IReadOnlyList<DeadLetterEntry> GetAll();

    /// <summary>
    /// Gets counts over the entries, for statistics and health checks. The built-in stores keep them up to date as they
    /// apply changes; the default implementation reads every entry.
    /// </summary>
    /// <returns>The counts.</returns>
    DeadLetterCounts GetCounts() => DeadLetterCounts.Compute(GetAll());
}
