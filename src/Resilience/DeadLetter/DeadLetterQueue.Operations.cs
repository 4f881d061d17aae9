using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

public sealed partial class DeadLetterQueue
{
    private readonly ConcurrentDictionary<string, Func<DeadLetterAttempt, CancellationToken, ValueTask>> _handlers = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers the handler that retries entries of an operation type, with the raw payload bytes.
    /// </summary>
    /// <param name="operationType">The operation type.</param>
    /// <param name="handler">Runs the operation again; throwing counts as a failed attempt.</param>
    /// <exception cref="ArgumentException"><paramref name="operationType"/> is empty or already has a handler.</exception>
    public void RegisterHandler(string operationType, Func<DeadLetterAttempt, CancellationToken, ValueTask> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_handlers.TryAdd(operationType, handler))
        {
            throw new ArgumentException($"The operation type '{operationType}' already has a handler.", nameof(operationType));
        }

        Processor.ScheduleAll();
    }

    /// <summary>
    /// Registers the handler that retries entries of an operation type, with the payload deserialized from JSON.
    /// A payload that cannot be deserialized exhausts its entry at once (reason <see cref="DeadLetterFailureReason.CorruptedData"/>).
    /// </summary>
    /// <typeparam name="TPayload">The payload type.</typeparam>
    /// <param name="operationType">The operation type.</param>
    /// <param name="typeInfo">The payload's JSON metadata, from your <c>JsonSerializerContext</c>.</param>
    /// <param name="handler">Runs the operation again.</param>
    public void RegisterHandler<TPayload>(string operationType, JsonTypeInfo<TPayload> typeInfo, Func<TPayload, DeadLetterAttempt, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        RegisterHandler(operationType, (attempt, ct) =>
        {
            TPayload payload;
            try
            {
                payload = JsonSerializer.Deserialize(attempt.Entry.Payload.Span, typeInfo)!;
            }
            catch (JsonException ex)
            {
                throw new DeadLetterPayloadException($"The payload of entry '{attempt.Entry.Id}' cannot be read as {typeof(TPayload).Name}: {ex.Message}", ex);
            }

            return handler(payload, attempt, ct);
        });
    }

    /// <summary>
    /// Puts an entry back in line for an immediate attempt, with a fresh attempt budget.
    /// </summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The entry as replayed.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or empty.</exception>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    /// <exception cref="InvalidOperationException">No handler is registered for the entry's operation type.</exception>
    public async ValueTask<DeadLetterEntry> ReplayAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return await ActAtVersionAsync(id, DeadLetterBulkAction.Replay, expectedVersion: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replays every entry matching a filter (paging ignored), spreading their attempts so that at most
    /// <paramref name="maxPerSecond"/> start each second. Recovered and discarded entries are not replayed
    /// unless the filter names their status; archived entries never are. The same as <see cref="ReplayMatchingAsync"/>.
    /// </summary>
    /// <param name="filter">Which entries to replay.</param>
    /// <param name="maxPerSecond">The most attempts to start per second, at least 0.001 (one every 1,000 seconds).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were replayed (an entry purged meanwhile is not counted).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPerSecond"/> is below 0.001, or spreading the matches at that rate would take more than a year.</exception>
    /// <exception cref="InvalidOperationException">A matching entry's operation type has no handler; nothing is replayed.</exception>
    public ValueTask<int> ReplayAsync(DeadLetterQuery filter, double maxPerSecond, CancellationToken cancellationToken = default)
        => ReplayMatchingAsync(filter, maxPerSecond, cancellationToken);

    /// <summary>
    /// Marks an entry discarded: it is never retried (not even by an attempt running now, whose outcome is dropped),
    /// and retention removes it later.
    /// </summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the change is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or empty.</exception>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    public async ValueTask DiscardAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await ChangeAsync(id, Discarded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes every entry matching a filter (paging ignored). An attempt running now cannot bring a purged entry back.
    /// </summary>
    /// <param name="filter">Which entries to delete.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were deleted.</returns>
    public ValueTask<int> PurgeAsync(DeadLetterQuery filter, CancellationToken cancellationToken = default)
        => PurgeAsync(filter, erase: false, cancellationToken);

    /// <summary>
    /// Deletes every entry matching a filter (paging ignored); with <paramref name="erase"/>, also removes their bytes
    /// from the store's files at once: a <see cref="FileDeadLetterStore"/> compacts, which rewrites the live entries
    /// into a new snapshot and deletes every older segment and snapshot that held the purged records. (Deleted files'
    /// blocks are the file system's to reuse; the library does not overwrite them.)
    /// </summary>
    /// <param name="filter">Which entries to delete.</param>
    /// <param name="erase">Whether to remove the purged bytes from disk now rather than at the next compaction.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were deleted.</returns>
    public async ValueTask<int> PurgeAsync(DeadLetterQuery filter, bool erase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (QueryStore is { } store)
        {
            return await PurgePushedDownAsync(store, filter, cancellationToken).ConfigureAwait(false);
        }

        var ids = MatchingSummaries(filter).Select(e => e.Id).ToList();
        await _store.DeleteAsync(ids, cancellationToken).ConfigureAwait(false);
        if (erase && _store is FileDeadLetterStore file)
        {
            await file.CompactAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return ids.Count;
    }

    internal ICollection<string> HandlerTypes => _handlers.Keys;

    internal Func<DeadLetterAttempt, CancellationToken, ValueTask>? FindHandler(string operationType) => _handlers.GetValueOrDefault(operationType);

    private void EnsureHandler(string operationType)
    {
        if (!_handlers.ContainsKey(operationType))
        {
            throw new InvalidOperationException($"No handler is registered for operation type '{operationType}'; register one with RegisterHandler before replaying.");
        }
    }

    /// <summary>
    /// Applies an operator's change to the entry as it is now: if the processor changed it between the read and the
    /// write, the change is made again on the newer state, so the operator's intent always lands.
    /// </summary>
    private async ValueTask<DeadLetterEntry> ChangeAsync(string id, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
        => await ChangeOrSkipAsync(id, change, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No dead letter entry has the id '{id}'.");

    private async Task<DeadLetterEntry?> ChangeOrSkipAsync(string id, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = _store.Find(id);
            if (current is null)
            {
                return null;
            }

            var updated = await _store.TryUpdateAsync(change(current), cancellationToken).ConfigureAwait(false);
            if (updated is not null)
            {
                return updated;
            }
        }
    }

    private static DeadLetterEntry Replayed(DeadLetterEntry entry, DateTimeOffset now, DateTimeOffset due) => entry with
    {
        Status = DeadLetterStatus.Pending,
        AttemptCount = 0,
        NextAttemptAt = due,
        UpdatedAt = due,
        ReplayCount = entry.ReplayCount + 1,
        LastReplayedAt = now,
    };
}
