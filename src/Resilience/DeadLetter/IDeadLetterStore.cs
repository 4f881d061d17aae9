namespace Resilience.DeadLetter;

/// <summary>
/// Where a dead letter queue keeps its entries. Implementations are thread-safe; a write completes only
/// when it is as durable as the store promises, and readers only ever see completed writes.
/// </summary>
public interface IDeadLetterStore : IAsyncDisposable
{
    /// <summary>Gets the number of entries.</summary>
    int Count { get; }

    /// <summary>Gets the total payload bytes of all entries.</summary>
    long PayloadBytes { get; }

    /// <summary>
    /// Inserts or replaces entries (matched by id), as one durable write.
    /// </summary>
    /// <param name="entries">The entries, in the order to apply them.</param>
    /// <param name="cancellationToken">Cancels waiting for the write; the write itself may still happen.</param>
    /// <returns>A task that completes when the write is durable.</returns>
    ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes entries by id, as one durable write. Unknown ids are ignored.
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">Cancels waiting for the write.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

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
}
