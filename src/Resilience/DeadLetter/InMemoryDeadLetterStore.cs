namespace Resilience.DeadLetter;

/// <summary>
/// A store that keeps entries in memory only: for tests, and for applications that choose not to persist failed
/// operations. Nothing survives the process.
/// </summary>
public sealed class InMemoryDeadLetterStore : IDeadLetterStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, DeadLetterEntry> _entries = new(StringComparer.Ordinal);
    private long _payloadBytes;

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public long PayloadBytes => Interlocked.Read(ref _payloadBytes);

    /// <inheritdoc/>
    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                if (_entries.TryGetValue(entry.Id, out var previous))
                {
                    _payloadBytes -= previous.Payload.Length;
                }

                _entries[entry.Id] = entry;
                _payloadBytes += entry.Payload.Length;
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (_entries.Remove(id, out var removed))
                {
                    _payloadBytes -= removed.Payload.Length;
                }
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public DeadLetterEntry? Find(string id)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(id);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeadLetterEntry> GetAll()
    {
        lock (_lock)
        {
            return [.. _entries.Values];
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => default;
}
