using Resilience.DeadLetter.Internal;
using Resilience.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// The durable store: a private directory holding a checksummed segment log and snapshots. Writes are acknowledged
/// according to <see cref="FileDeadLetterStoreOptions.Durability"/>; opening recovers from crashes (an uncommitted
/// final write is discarded and reported; damage before it fails the open in strict mode).
/// </summary>
/// <remarks>
/// One store instance owns a directory at a time (an exclusive lock file). All entries are kept in memory as well,
/// so reads never touch the disk; size the store with that in mind. Every change is applied to memory by the same
/// function that replays it at open, in the order of the log, so what a reopen finds is exactly what was visible.
/// </remarks>
public sealed class FileDeadLetterStore : IDeadLetterStore, ILogStateMachine
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DeadLetterEntry Entry, int RecordSize)> _entries = new(StringComparer.Ordinal);

    private readonly OrderedEntries _ordered = new();
    private readonly int _maxPayloadBytes;
    private readonly DecodePool _decodePool = new();
    private readonly RunningCounts _counts;
    private SegmentLog _log = null!;
    private long _payloadBytes;
    private long _liveBytes;

    private FileDeadLetterStore(FileDeadLetterStoreOptions options)
    {
        _maxPayloadBytes = options.MaxPayloadBytes;

        // Called under _lock, from the counts' own calls.
        _counts = new RunningCounts((id, created) => _entries.TryGetValue(id, out var found)
            && found.Entry.CreatedAt.UtcTicks == created
            && found.Entry.Status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying);
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
    public long SizeBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>Gets the bytes the store's files hold (segments and snapshot).</summary>
    public long DiskBytes => _log.TotalBytes;

    /// <summary>Gets the number of bytes discarded as an uncommitted (torn) tail when the store was opened.</summary>
    public long RecoveredTruncatedBytes => _log.Recovery.TruncatedBytes;

    /// <summary>Gets the number of damaged bytes set aside in <c>.corrupt</c> files when the store was opened (lenient mode).</summary>
    public long RecoveredQuarantinedBytes => _log.Recovery.QuarantinedBytes;

    /// <summary>Gets what opening the store found and did, one line each.</summary>
    public IReadOnlyList<string> RecoveryNotes => _log.Recovery.Notes;

    /// <summary>Gets a value indicating whether a write or flush failed; a faulted store accepts no writes until reopened.</summary>
    public bool IsFaulted => _log.IsFaulted;

    /// <summary>Gets what made the store faulted, or <see langword="null"/>.</summary>
    public Exception? Fault => _log.Fault;

    /// <summary>Gets the number of segment files.</summary>
    public int SegmentCount => _log.SegmentCount;

    /// <summary>Gets how many compactions ran since the store was opened.</summary>
    public int CompactionCount => _log.CompactionCount;

    /// <summary>Gets where data ends in the active segment (tests damage files at known places).</summary>
    internal long ActiveSegmentUsedBytes => _log.ActiveSegmentLength;

    long ILogStateMachine.LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>
    /// Opens (or creates) the store in <see cref="FileDeadLetterStoreOptions.Directory"/>, recovering from any crash.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The open store; dispose it to flush and release the directory.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="IOException">The directory cannot be created or written, is a symbolic link, or another process holds it (the message names the path and the holder).</exception>
    /// <exception cref="DeadLetterStoreCorruptedException">The log is damaged before its committed end, in strict mode.</exception>
    public static FileDeadLetterStore Open(FileDeadLetterStoreOptions options) => Open(options, LogFileSystem.Default);

    internal static FileDeadLetterStore Open(FileDeadLetterStoreOptions options, LogFileSystem files)
    {
        Validate(options);
        var store = new FileDeadLetterStore(options);
        store._log = SegmentLog.Open(
            new LogOptions
            {
                Directory = options.Directory,
                Durability = options.Durability,
                FlushInterval = options.FlushInterval,
                CorruptionHandling = options.CorruptionHandling,
                SegmentSize = options.SegmentSize,
                CompactionThreshold = options.CompactionThreshold,
                MaxTotalBytes = options.MaxTotalBytes,
                MaxTotalBytesOptionName = "FileDeadLetterStoreOptions.MaxTotalBytes",
                TimeProvider = options.TimeProvider,
                QuarantineRetention = options.QuarantineRetention,
                Description = "dead letter store",
            },
            files,
            store);
        store._decodePool.Clear();
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

        var changes = new DeadLetterChange[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries));
            DeadLetterLimits.Validate(entry, _maxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");

            // The store keeps its own copy: a caller reusing its buffer must not change what memory holds but the disk does not.
            changes[i] = DeadLetterChange.Put(entry with { Payload = entry.Payload.ToArray() }, 0, 0);
        }

        return Write(changes, grows: true, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        DeadLetterLimits.Validate(entry, _maxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");
        var current = Find(entry.Id);
        if (current is null || current.Version != entry.Version)
        {
            // Versions only rise, so a write conditional on an older one can never apply: nothing to write.
            return null;
        }

        var onlyStateChanged = current.Payload.Equals(entry.Payload)
            && ReferenceEquals(current.Context, entry.Context)
            && string.Equals(current.OperationType, entry.OperationType, StringComparison.Ordinal)
            && current.CreatedAt == entry.CreatedAt;
        var change = onlyStateChanged
            ? DeadLetterChange.State(entry, entry.Version)
            : DeadLetterChange.Put(entry with { Payload = entry.Payload.ToArray() }, 0, entry.Version);
        await Write([change], grows: !onlyStateChanged, cancellationToken).ConfigureAwait(false);
        return change.Result;
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return default;
        }

        var changes = new DeadLetterChange[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            changes[i] = DeadLetterChange.Delete(ids[i] ?? throw new ArgumentException("The ids hold a null id.", nameof(ids)), 0);
        }

        return Write(changes, grows: false, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return 0;
        }

        var changes = new DeadLetterChange[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries));
            changes[i] = DeadLetterChange.Delete(entry.Id, Math.Max(entry.Version, 1));
        }

        await Write(changes, grows: false, cancellationToken).ConfigureAwait(false);
        return changes.Count(c => c.Applied);
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
            return _ordered.Snapshot();
        }
    }

    /// <inheritdoc/>
    public DeadLetterCounts GetCounts()
    {
        lock (_lock)
        {
            return _counts.Snapshot();
        }
    }

    /// <summary>
    /// Compacts the log now: writes a snapshot of the entries as of every write queued before this call and deletes
    /// the segments it covers. Writes go on meanwhile.
    /// </summary>
    /// <returns>A task that completes when the compaction is done.</returns>
    public Task CompactAsync() => _log.CompactAsync();

    /// <summary>
    /// Flushes and closes the log and releases the directory.
    /// </summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public ValueTask DisposeAsync() => _log.DisposeAsync();

    void ILogStateMachine.Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body)
        => Apply(RecordCodec.Decode(type, body, _decodePool), sequence, LogFormat.RecordSize(body.Length));

    void ILogStateMachine.Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
            _counts.Clear();
            _ordered.Clear();
            _payloadBytes = 0;
            _liveBytes = 0;
        }
    }

    IEnumerable<EncodedRecord> ILogStateMachine.CaptureSnapshot()
    {
        var entries = GetAll();
        return Encode(entries);

        static IEnumerable<EncodedRecord> Encode(IReadOnlyList<DeadLetterEntry> entries)
        {
            foreach (var entry in entries)
            {
                yield return RecordCodec.EncodePut(entry, entry.Version, 0);
            }
        }
    }

    private static void Validate(FileDeadLetterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.NotEmpty(options.Directory, "FileDeadLetterStoreOptions.Directory");
        OptionGuard.InRange(options.MaxPayloadBytes, 1, DeadLetterLimits.MaxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");
        OptionGuard.InRange(options.SegmentSize, 4096, int.MaxValue, "FileDeadLetterStoreOptions.SegmentSize");
        if (options.MaxTotalBytes < 1024 * 1024)
        {
            throw OptionGuard.OutOfRange("FileDeadLetterStoreOptions.MaxTotalBytes", options.MaxTotalBytes, "must be at least 1 MiB");
        }

        if (options.Durability == DurabilityMode.Interval)
        {
            OptionGuard.Positive(options.FlushInterval, "FileDeadLetterStoreOptions.FlushInterval");
        }

        OptionGuard.NotNull(options.TimeProvider, "FileDeadLetterStoreOptions.TimeProvider");
        OptionGuard.NotNegative(options.QuarantineRetention, "FileDeadLetterStoreOptions.QuarantineRetention");
    }

    private ValueTask Write(DeadLetterChange[] changes, bool grows, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var records = new EncodedRecord[changes.Length];
        for (var i = 0; i < changes.Length; i++)
        {
            var change = changes[i];
            records[i] = change.Kind switch
            {
                DeadLetterChangeKind.Put => RecordCodec.EncodePut(change.Entry!, 0, change.ExpectedVersion),
                DeadLetterChangeKind.State => RecordCodec.EncodeState(change.Entry!, change.ExpectedVersion),
                _ => RecordCodec.EncodeDelete(change.Id, change.ExpectedVersion),
            };
            change.RecordSize = records[i].Size;
        }

        var pending = _log.AppendAsync(records, ApplyDurable, (this, changes), grows);
        return new ValueTask(cancellationToken.CanBeCanceled ? pending.WaitAsync(cancellationToken) : pending);
    }

    private static readonly Action<ulong, object?> ApplyDurable = static (first, state) =>
    {
        var (store, changes) = ((FileDeadLetterStore, DeadLetterChange[]))state!;
        for (var i = 0; i < changes.Length; i++)
        {
            store.Apply(changes[i], first + (ulong)i, changes[i].RecordSize);
        }
    };

    /// <summary>
    /// The one function that changes memory, live and at open: conditional changes apply only to an entry at the
    /// expected version, a state change never inserts, and the version becomes the record's sequence number.
    /// </summary>
    private void Apply(DeadLetterChange change, ulong sequence, int recordSize)
    {
        lock (_lock)
        {
            var exists = _entries.TryGetValue(change.Id, out var current);
            if (change.ExpectedVersion != 0 && (!exists || current.Entry.Version != change.ExpectedVersion))
            {
                return;
            }

            switch (change.Kind)
            {
                case DeadLetterChangeKind.Put:
                    // The change's entry is the store's own copy, made for this write and not yet visible to anyone.
                    var entry = change.Entry!;
                    entry.AssignVersion(change.Version != 0 ? change.Version : (long)sequence);
                    if (exists)
                    {
                        _payloadBytes -= current.Entry.Payload.Length;
                        _liveBytes -= current.RecordSize;
                        _counts.Remove(current.Entry);
                    }

                    _entries[change.Id] = (entry, recordSize);
                    _ordered.Set(entry, isNew: !exists);
                    _counts.Add(entry);
                    _payloadBytes += entry.Payload.Length;
                    _liveBytes += recordSize;
                    change.Result = entry;
                    break;
                case DeadLetterChangeKind.State:
                    if (!exists)
                    {
                        return;
                    }

                    var state = change.Entry!;
                    var updated = current.Entry with
                    {
                        UpdatedAt = state.UpdatedAt,
                        Error = state.Error,
                        AttemptCount = state.AttemptCount,
                        MaxAttempts = state.MaxAttempts,
                        NextAttemptAt = state.NextAttemptAt,
                        Status = state.Status,

                        // A State record written before the failure fields existed carries none: keep the entry's.
                        FailureGroup = state.FailureGroup ?? current.Entry.FailureGroup,
                        FirstFailedAt = state.FirstFailedAt ?? current.Entry.FirstFailedAt,
                        LastFailedAt = state.LastFailedAt ?? current.Entry.LastFailedAt,
                        ReplayCount = Math.Max(state.ReplayCount, current.Entry.ReplayCount),
                        LastReplayedAt = state.LastReplayedAt ?? current.Entry.LastReplayedAt,
                        Version = (long)sequence,
                    };
                    _entries[change.Id] = (updated, current.RecordSize);
                    _ordered.Set(updated, isNew: false);
                    _counts.Remove(current.Entry);
                    _counts.Add(updated);
                    change.Result = updated;
                    break;
                default:
                    if (!exists)
                    {
                        return;
                    }

                    _entries.Remove(change.Id);
                    _ordered.Remove(change.Id);
                    _counts.Remove(current.Entry);
                    _payloadBytes -= current.Entry.Payload.Length;
                    _liveBytes -= current.RecordSize;
                    break;
            }

            change.Applied = true;
        }
    }
}
