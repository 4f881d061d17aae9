namespace Resilience.DeadLetter;

/// <summary>
/// A store that keeps entries in memory only: for tests, and for applications that choose not to persist failed
/// operations. Nothing survives the process. It enforces the same <see cref="DeadLetterLimits"/> and versioning rules
/// as the file store, so code tested against it behaves the same against a durable one.
/// </summary>
public sealed class InMemoryDeadLetterStore : IDeadLetterStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, DeadLetterEntry> _entries = new(StringComparer.Ordinal);
    private readonly int _maxPayloadBytes;
    private long _payloadBytes;
    private long _sizeBytes;
    private long _version;

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeadLetterStore"/> class.</summary>
    public InMemoryDeadLetterStore()
        : this(DeadLetterLimits.MaxPayloadBytes)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeadLetterStore"/> class with a payload limit.</summary>
    /// <param name="maxPayloadBytes">The largest payload accepted, at most <see cref="DeadLetterLimits.MaxPayloadBytes"/>.</param>
    public InMemoryDeadLetterStore(int maxPayloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPayloadBytes, DeadLetterLimits.MaxPayloadBytes);
        _maxPayloadBytes = maxPayloadBytes;
    }

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
    public long SizeBytes => Interlocked.Read(ref _sizeBytes);

    /// <inheritdoc/>
    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var entry in entries)
        {
            DeadLetterLimits.Validate(entry ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries)), _maxPayloadBytes, "InMemoryDeadLetterStore(maxPayloadBytes)");
        }

        lock (_lock)
        {
            foreach (var entry in entries)
            {
                Put(entry with { Payload = entry.Payload.ToArray(), Version = ++_version });
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        DeadLetterLimits.Validate(entry, _maxPayloadBytes, "InMemoryDeadLetterStore(maxPayloadBytes)");
        lock (_lock)
        {
            if (!_entries.TryGetValue(entry.Id, out var current) || current.Version != entry.Version)
            {
                return new ValueTask<DeadLetterEntry?>((DeadLetterEntry?)null);
            }

            var payload = current.Payload.Equals(entry.Payload) ? entry.Payload : entry.Payload.ToArray();
            var updated = entry with { Payload = payload, Version = ++_version };
            Put(updated);
            return new ValueTask<DeadLetterEntry?>(updated);
        }
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
                Remove(id);
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        var removed = 0;
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                if (_entries.TryGetValue(entry.Id, out var current) && current.Version == entry.Version)
                {
                    Remove(entry.Id);
                    removed++;
                }
            }
        }

        return new ValueTask<int>(removed);
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

    private void Put(DeadLetterEntry entry)
    {
        if (_entries.TryGetValue(entry.Id, out var previous))
        {
            _payloadBytes -= previous.Payload.Length;
            _sizeBytes -= DeadLetterLimits.EncodedSize(previous);
        }

        _entries[entry.Id] = entry;
        _payloadBytes += entry.Payload.Length;
        _sizeBytes += DeadLetterLimits.EncodedSize(entry);
    }

    private void Remove(string id)
    {
        if (_entries.Remove(id, out var removed))
        {
            _payloadBytes -= removed.Payload.Length;
            _sizeBytes -= DeadLetterLimits.EncodedSize(removed);
        }
    }
}
