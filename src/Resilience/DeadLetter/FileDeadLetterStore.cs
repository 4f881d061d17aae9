using Resilience.DeadLetter.Internal;
using Resilience.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// The durable store: a directory holding a checksummed segment log and snapshots. Writes are acknowledged
/// according to <see cref="FileDeadLetterStoreOptions.Durability"/>; opening recovers from crashes (a torn tail is
/// truncated and reported; mid-log corruption fails the open in strict mode).
/// </summary>
/// <remarks>
/// One store instance owns a directory at a time (an exclusive lock file). All entries are kept in memory as well,
/// so reads never touch the disk; size the store with that in mind.
/// </remarks>
public sealed class FileDeadLetterStore : IDeadLetterStore, ILogStateMachine
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DeadLetterEntry Entry, int RecordSize)> _entries = new(StringComparer.Ordinal);

    // Reads far outnumber writes in queries and statistics: the id-ordered copy is kept until the next change.
    private DeadLetterEntry[]? _ordered;
    private readonly int _maxPayloadBytes;
    private readonly int _maxRecordBody;
    private SegmentLog _log = null!;
    private long _payloadBytes;
    private long _liveBytes;

    private FileDeadLetterStore(FileDeadLetterStoreOptions options)
    {
        _maxPayloadBytes = options.MaxPayloadBytes;
        _maxRecordBody = options.MaxPayloadBytes + (48 * 1024);
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

    /// <summary>Gets the number of bytes cut off as a torn tail when the store was opened.</summary>
    public long RecoveredTruncatedBytes => _log.Recovery.TruncatedBytes;

    /// <summary>Gets the number of damaged bytes set aside in <c>.corrupt</c> files when the store was opened (lenient mode).</summary>
    public long RecoveredQuarantinedBytes => _log.Recovery.QuarantinedBytes;

    /// <summary>Gets what opening the store found and did, one line each.</summary>
    public IReadOnlyList<string> RecoveryNotes => _log.Recovery.Notes;

    /// <summary>Gets a value indicating whether a write or flush failed; a faulted store accepts no writes until reopened.</summary>
    public bool IsFaulted => _log.IsFaulted;

    /// <summary>Gets the number of segment files.</summary>
    public int SegmentCount => _log.SegmentCount;

    /// <summary>Gets how many compactions ran since the store was opened.</summary>
    public int CompactionCount => _log.CompactionCount;

    long ILogStateMachine.LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>
    /// Opens (or creates) the store in <see cref="FileDeadLetterStoreOptions.Directory"/>, recovering from any crash.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The open store; dispose it to flush and release the directory.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="IOException">The directory cannot be created or written, or another process holds it (the message names the path and the holder).</exception>
    /// <exception cref="DeadLetterStoreCorruptedException">The log is corrupt beyond a torn tail, in strict mode.</exception>
    public static FileDeadLetterStore Open(FileDeadLetterStoreOptions options) => Open(options, LogFileSystem.Default);

    internal static FileDeadLetterStore Open(FileDeadLetterStoreOptions options, LogFileSystem files)
    {
        Validate(options);
        var store = new FileDeadLetterStore(options);
        store._log = SegmentLog.Open(options, files, store);
        return store;
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return default;
        }

        var records = new EncodedRecord[entries.Count];
        var sizes = new int[entries.Count];
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i] ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries));
                if (entry.Payload.Length > _maxPayloadBytes)
                {
                    throw new DeadLetterRejectedException(
                        $"The payload of entry '{entry.Id}' is {entry.Payload.Length} bytes; the store accepts at most {_maxPayloadBytes} (FileDeadLetterStoreOptions.MaxPayloadBytes).",
                        DeadLetterFailureReason.Oversized);
                }

                var existing = Find(entry.Id);
                var onlyStateChanged = existing is not null
                    && existing.Payload.Equals(entry.Payload)
                    && ReferenceEquals(existing.Context, entry.Context)
                    && existing.OperationType == entry.OperationType
                    && existing.CreatedAt == entry.CreatedAt;
                records[i] = onlyStateChanged ? RecordCodec.EncodeState(entry) : RecordCodec.EncodePut(entry);
                if (records[i].BodyLength > _maxRecordBody)
                {
                    throw new DeadLetterRejectedException(
                        $"Entry '{entry.Id}' encodes to {records[i].BodyLength} bytes, more than a record may hold; shorten its context or error text.",
                        DeadLetterFailureReason.Oversized);
                }

                sizes[i] = onlyStateChanged ? existing!.Payload.Length + records[i].Size : records[i].Size;
            }
        }
        catch
        {
            foreach (var record in records)
            {
                record?.Release();
            }

            throw;
        }

        var pending = _log.AppendAsync(records, () => ApplySaved(entries, sizes));
        return new ValueTask(cancellationToken.CanBeCanceled ? pending.WaitAsync(cancellationToken) : pending);
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return default;
        }

        var records = new EncodedRecord[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            records[i] = RecordCodec.EncodeDelete(ids[i] ?? throw new ArgumentException("The ids hold a null id.", nameof(ids)));
        }

        var pending = _log.AppendAsync(records, () => ApplyDeleted(ids));
        return new ValueTask(cancellationToken.CanBeCanceled ? pending.WaitAsync(cancellationToken) : pending);
    }

    /// <inheritdoc/>
    public DeadLetterEntry? Find(string id)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(id, out var found) ? found.Entry : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeadLetterEntry> GetAll()
    {
        lock (_lock)
        {
            if (_ordered is null)
            {
                var all = new DeadLetterEntry[_entries.Count];
                var i = 0;
                foreach (var pair in _entries)
                {
                    all[i++] = pair.Value.Entry;
                }

                Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
                _ordered = all;
            }

            return _ordered;
        }
    }

    /// <summary>
    /// Compacts the log now: writes a snapshot of the live entries and deletes the segments it covers.
    /// </summary>
    /// <returns>A task that completes when the compaction is done.</returns>
    public Task CompactAsync()
    {
        // Runs on the writer loop, after every write queued before it.
        return _log.AppendAsync([], () => _log.Compact());
    }

    /// <summary>
    /// Flushes and closes the log and releases the directory.
    /// </summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public ValueTask DisposeAsync() => _log.DisposeAsync();

    void ILogStateMachine.Apply(RecordType type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case RecordType.Put:
                var entry = RecordCodec.DecodePut(body);
                Put(entry, LogFormat.RecordSize(body.Length));
                break;
            case RecordType.State:
                var updated = RecordCodec.ApplyState(body, Find);
                if (updated is not null)
                {
                    lock (_lock)
                    {
                        _entries[updated.Id] = (updated, _entries[updated.Id].RecordSize);
                        _ordered = null;
                    }
                }

                break;
            case RecordType.Delete:
                ApplyDeleted([RecordCodec.DecodeDelete(body)]);
                break;
            default:
                throw new FormatException($"Unknown record type {(byte)type}.");
        }
    }

    IReadOnlyList<EncodedRecord> ILogStateMachine.CreateSnapshot()
    {
        var entries = GetAll();
        var records = new EncodedRecord[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            records[i] = RecordCodec.EncodePut(entries[i]);
        }

        return records;
    }

    private static void Validate(FileDeadLetterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.NotEmpty(options.Directory, "FileDeadLetterStoreOptions.Directory");
        OptionGuard.InRange(options.MaxPayloadBytes, 1, 256 * 1024 * 1024, "FileDeadLetterStoreOptions.MaxPayloadBytes");
        OptionGuard.InRange(options.SegmentSize, 4096, int.MaxValue, "FileDeadLetterStoreOptions.SegmentSize");
        if (options.Durability == DurabilityMode.Interval)
        {
            OptionGuard.Positive(options.FlushInterval, "FileDeadLetterStoreOptions.FlushInterval");
        }

        OptionGuard.NotNull(options.TimeProvider, "FileDeadLetterStoreOptions.TimeProvider");
    }

    private void ApplySaved(IReadOnlyList<DeadLetterEntry> entries, int[] sizes)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            Put(entries[i], sizes[i]);
        }
    }

    private void Put(DeadLetterEntry entry, int recordSize)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.Id, out var previous))
            {
                _payloadBytes -= previous.Entry.Payload.Length;
                _liveBytes -= previous.RecordSize;
            }

            _entries[entry.Id] = (entry, recordSize);
            _ordered = null;
            _payloadBytes += entry.Payload.Length;
            _liveBytes += recordSize;
        }
    }

    private void ApplyDeleted(IReadOnlyList<string> ids)
    {
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (_entries.Remove(id, out var removed))
                {
                    _ordered = null;
                    _payloadBytes -= removed.Entry.Payload.Length;
                    _liveBytes -= removed.RecordSize;
                }
            }
        }
    }
}
