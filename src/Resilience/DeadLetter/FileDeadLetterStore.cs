using System.Buffers;
using Resilience.DeadLetter.Internal;
using Resilience.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// The durable store: a private directory holding a checksummed segment log and snapshots. Writes are acknowledged
/// according to <see cref="FileDeadLetterStoreOptions.Durability"/>; opening recovers from crashes (an uncommitted
/// final write is discarded and reported; damage before it fails the open in strict mode).
/// </summary>
/// <remarks>
/// One store instance owns a directory at a time (an exclusive lock file). Memory holds an index, not the entries:
/// per entry its id, operation type, status, version, attempt counts, times, failure group and reason, replays and
/// where its records lie; payloads,
/// context and error text are read from the log (and checked against their checksum) when an entry is read, so memory
/// grows with the number of entries, not their size. Every change is applied to the index by the same function that
/// replays it at open, in the order of the log, so what a reopen finds is exactly what was visible.
/// </remarks>
public sealed class FileDeadLetterStore : IDeadLetterStore, ILogStateMachine
{
    private const int RelocationChunk = 16_384;

    private readonly Lock _lock = new();
    private int _summaryScans;
    private readonly EntryIndex _entries = new();
    private readonly int _maxPayloadBytes;
    private readonly DecodePool _decodePool = new();
    private readonly StoreWrite.Pool _writes = new();

    // Replay runs on one thread and applies each record before reading the next: one change object serves them all.
    private readonly DeadLetterChange _replayChange = DeadLetterChange.ForReplay();
    private readonly RunningCounts _counts;
    private readonly Action<ulong, object?> _applyDurable;
    private SegmentLog _log = null!;
    private long _payloadBytes;
    private long _liveBytes;

    private FileDeadLetterStore(FileDeadLetterStoreOptions options)
    {
        _maxPayloadBytes = options.MaxPayloadBytes;

        // One delegate for the store's life: a write passes itself (its changes and records) as the state.
        _applyDurable = ApplyDurable;

        // Called under _lock, from the counts' own calls.
        _counts = new RunningCounts(() => _entries.OldestPendingTicks);
    }

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                ApplyHandedOver_NeedsLock();
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    public long PayloadBytes => AppliedNumber(ref _payloadBytes);

    /// <inheritdoc/>
    public long SizeBytes => AppliedNumber(ref _liveBytes);

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

    /// <summary>Gets how many batches the log wrote since the store was opened (the benchmark reports records per flush).</summary>
    internal long WrittenBatches => _log.BatchCount;

    /// <summary>Gets a value indicating whether the active segment is written through a memory mapping (tests check the path they cover).</summary>
    internal bool WritesThroughMapping => _log.WritesThroughMapping;

    /// <summary>Gets where data ends in the active segment (tests damage files at known places).</summary>
    internal long ActiveSegmentUsedBytes => _log.ActiveSegmentLength;

    /// <summary>Gets how many durable writes a group handed over wait to be applied to memory (tests check when they are).</summary>
    internal int ChangesWaitingToApply => _log.HandedOverCount;

    long ILogStateMachine.LiveBytes => Interlocked.Read(ref _liveBytes);

    bool ILogStateMachine.HasSnapshotIndex => true;

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
                MaxGatherWait = options.MaxGatherWait,
                MaxHandedOver = options.MaxWritesWaitingToApply,
                Description = "dead letter store",
            },
            files,
            store);
        store._decodePool.Clear();
        lock (store._lock)
        {
            store._entries.TrimExcess();
        }

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

        var write = StoreWrite.Rent(_writes);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries));
            DeadLetterLimits.Validate(entry, _maxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");

            // No copy of the payload: it is encoded into the record before this call returns and memory keeps only
            // where the record lies, so a caller reusing its buffer afterwards changes nothing.
            write.Next().SetPut(entry, 0);
        }

        write.RecycleOnApply = true;
        return Write(write, grows: true, cancellationToken);
    }

    /// <summary>
    /// Saves one entry (an unconditional upsert, as <see cref="SaveAsync"/>) and returns it as stored, with the version
    /// the store gave it: taken from the write itself, so the caller does not read the record back from disk.
    /// </summary>
    internal async ValueTask<DeadLetterEntry> SaveReturningStoredAsync(DeadLetterEntry entry)
        => entry with { Version = (long)await SaveSequencedAsync(entry).ConfigureAwait(false) };

    /// <summary>
    /// Saves one entry (an unconditional upsert) and returns the version the store gave it: its record's sequence
    /// number, known once the record is durable, so the write may be applied after its acknowledgement (a group's is
    /// handed over, like <see cref="SaveAsync"/>'s). The stored entry is the given one at that version.
    /// </summary>
    internal ValueTask<ulong> SaveSequencedAsync(DeadLetterEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        DeadLetterLimits.Validate(entry, _maxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");
        var write = StoreWrite.Rent(_writes);
        write.Next().SetPut(entry, 0);

        // An unconditional put always applies, at the version its sequence number gives: nothing is read back.
        write.RecycleOnApply = true;
        write.Encode();
        return _log.AppendSequencedAsync(write.Records, _applyDurable, write, grows: true, mayHandOver: true);
    }

    /// <summary>
    /// Gets <see cref="Count"/> and <see cref="SizeBytes"/> or more, without the lock: writes acknowledged but not yet
    /// applied count as new entries of their records' size. For limits checked before each add (a check that passes
    /// here passes on the exact figures; one that fails is made again on them).
    /// </summary>
    internal (int Count, long SizeBytes) UpperBounds()
    {
        // What waits first (a volatile read: the reads below cannot move before it), then what is applied: a change
        // leaves the waiting counts only once applied, so it is counted once or twice, never missed.
        var waitingRecords = _log.HandedOverRecords;
        var waitingBytes = _log.HandedOverBytes;
        return (_entries.Count + waitingRecords, Interlocked.Read(ref _liveBytes) + waitingBytes);
    }

    /// <summary>Gets the version the index holds for an entry (no record is read), or null when there is no such entry.</summary>
    internal long? VersionOf(string id)
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            return _entries.TryGet(id, out var index) ? index.Version : null;
        }
    }

    /// <summary>
    /// Deletes an entry if it is still at <paramref name="expectedVersion"/>, without reading its records (which may be
    /// damaged); returns whether it was deleted.
    /// </summary>
    internal async ValueTask<bool> TryDeleteAtVersionAsync(string id, long expectedVersion, CancellationToken cancellationToken)
    {
        var write = StoreWrite.Rent(_writes);
        write.Next().SetDelete(id, Math.Max(expectedVersion, 1));
        await Write(write, grows: false, cancellationToken).ConfigureAwait(false);
        var applied = write.AppliedCount();
        write.Return();
        return applied == 1;
    }

    /// <inheritdoc/>
    public async ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        DeadLetterLimits.Validate(entry, _maxPayloadBytes, "FileDeadLetterStoreOptions.MaxPayloadBytes");
        IndexedEntry? index;
        bool sameShape;
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            if (!_entries.TryGet(entry.Id, out index) || index.Version != entry.Version)
            {
                // Versions only rise, so a write conditional on an older one can never apply: nothing to write.
                return null;
            }

            sameShape = string.Equals(index.OperationType, entry.OperationType, StringComparison.Ordinal)
                && index.CreatedTicks == entry.CreatedAt.UtcTicks
                && index.PayloadLength == entry.Payload.Length;
            if (sameShape)
            {
                // Taken with the lookup: a compaction may move the entry's records and close the old files right after.
                Acquire(index);
            }
        }

        var onlyStateChanged = sameShape && SamePayloadAndContext(index, entry);
        var write = StoreWrite.Rent(_writes);
        var change = onlyStateChanged ? write.Next().SetState(entry, entry.Version) : write.Next().SetPut(entry, entry.Version);
        change.WantsResult = true;
        await Write(write, grows: !onlyStateChanged, cancellationToken).ConfigureAwait(false);
        var result = change.Result;
        write.Return();
        return result;
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return default;
        }

        var write = StoreWrite.Rent(_writes);
        for (var i = 0; i < ids.Count; i++)
        {
            write.Next().SetDelete(ids[i] ?? throw new ArgumentException("The ids hold a null id.", nameof(ids)), 0);
        }

        write.RecycleOnApply = true;
        return Write(write, grows: false, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return 0;
        }

        var write = StoreWrite.Rent(_writes);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries));
            write.Next().SetDelete(entry.Id, Math.Max(entry.Version, 1));
        }

        await Write(write, grows: false, cancellationToken).ConfigureAwait(false);
        var applied = write.AppliedCount();
        write.Return();
        return applied;
    }

    /// <inheritdoc/>
    /// <exception cref="DeadLetterStoreCorruptedException">The entry's record on disk no longer verifies.</exception>
    public DeadLetterEntry? Find(string id)
    {
        IndexedEntry? index;
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            if (!_entries.TryGet(id, out index))
            {
                return null;
            }

            Acquire(index);
        }

        try
        {
            return Load(index);
        }
        finally
        {
            Release(index);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Reads every entry's records from disk; the queue's own scans use the index instead.</remarks>
    public IReadOnlyList<DeadLetterEntry> GetAll()
    {
        IndexedEntry[] all;
        var files = new HashSet<RecordFile>();
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            var view = _entries.View();
            all = new IndexedEntry[view.Count];
            for (var i = 0; i < all.Length; i++)
            {
                var index = all[i] = view[i];
                // One reference per file, held while reading: no file of this point in time is closed meanwhile.
                if (files.Add(index.Put.File))
                {
                    AcquireFile(index.Put.File);
                }

                if (files.Add(index.Error.File))
                {
                    AcquireFile(index.Error.File);
                }
            }
        }

        try
        {
            var result = new DeadLetterEntry[all.Length];
            for (var i = 0; i < all.Length; i++)
            {
                result[i] = Load(all[i]);
            }

            return result;
        }
        finally
        {
            foreach (var file in files)
            {
                file.Release();
            }
        }
    }

    /// <inheritdoc/>
    public DeadLetterCounts GetCounts()
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
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

    /// <summary>
    /// Visits the pending entries of the operation types <paramref name="includeType"/> accepts, earliest due first, with
    /// their next attempt time in ticks (<see cref="IndexedEntry.NoTime"/> for none), until <paramref name="visit"/>
    /// returns <see langword="false"/>. Both run under the store's lock: they must not call the store.
    /// </summary>
    internal void VisitDue(Func<string, bool> includeType, Func<string, long, bool> visit)
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            _entries.VisitDue(includeType, visit);
        }
    }

    /// <summary>
    /// Gets up to <paramref name="max"/> entries past their retention, least recently updated first, without a scan:
    /// recovered or discarded ones last updated at or before <paramref name="resolvedUpTo"/>, then archived ones at or
    /// before <paramref name="archivedUpTo"/>.
    /// </summary>
    internal List<DeadLetterSummary> Expired(DateTimeOffset resolvedUpTo, DateTimeOffset archivedUpTo, int max)
    {
        var result = new List<DeadLetterSummary>();
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            foreach (var (archived, upTo) in new[] { (false, resolvedUpTo.UtcTicks), (true, archivedUpTo.UtcTicks) })
            {
                _entries.VisitByUpdate(archived, entry =>
                {
                    if (result.Count >= max || entry.UpdatedTicks > upTo)
                    {
                        return false;
                    }

                    result.Add(Summarize(entry));
                    return true;
                });
            }
        }

        return result;
    }

    /// <summary>Gets how many times <see cref="Summaries"/> was called (a scan of every entry: tests bound it).</summary>
    internal int SummaryScans => Volatile.Read(ref _summaryScans);

    /// <summary>Gets what the index holds of every entry, in id order, without reading the disk.</summary>
    internal IEnumerable<DeadLetterSummary> Summaries()
    {
        IndexView view;
        Interlocked.Increment(ref _summaryScans);
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            view = _entries.View();
        }

        for (var i = 0; i < view.Count; i++)
        {
            yield return Summarize(view[i]);
        }
    }

    /// <summary>Gets up to <paramref name="count"/> summaries from the start of the id order, read under the lock (no copy of the index).</summary>
    internal List<DeadLetterSummary> FirstSummaries(int skip, int count, Func<DeadLetterSummary, bool> matches)
    {
        var result = new List<DeadLetterSummary>(Math.Min(count, 1024));
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            _entries.ForEach(index =>
            {
                var summary = Summarize(index);
                if (!matches(summary))
                {
                    return true;
                }

                if (skip > 0)
                {
                    skip--;
                    return true;
                }

                result.Add(summary);
                return result.Count < count;
            });
        }

        return result;
    }

    void ILogStateMachine.Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body, RecordLocation location)
        => Apply(RecordCodec.DecodeIndex(type, body, _decodePool, _replayChange), sequence, location);

    IEnumerable<EncodedRecord> ILogStateMachine.SnapshotIndex(IEnumerable<EncodedRecord> captured)
    {
        var capture = (SnapshotCapture)captured;
        return SnapshotIndexCodec.Encode(i => capture.Entries[i], capture.Entries.Count, capture.Offsets, capture.Lengths);
    }

    void ILogStateMachine.SnapshotIndexStarting(long entries)
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            _entries.EnsureCapacity((int)Math.Min(entries, Array.MaxLength));
        }
    }

    int ILogStateMachine.ReplaySnapshotIndex(ReadOnlySpan<byte> body, ulong sequence, RecordFile snapshot)
        => SnapshotIndexCodec.Decode(body, _decodePool, _replayChange, (change, offset, length) => Apply(change, sequence, new RecordLocation(snapshot, offset, length)));

    void ILogStateMachine.Reset()
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            _entries.Clear();
            _counts.Clear();
            _payloadBytes = 0;
            _liveBytes = 0;
        }
    }

    IEnumerable<EncodedRecord> ILogStateMachine.CaptureSnapshot()
    {
        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            // A view: the pages it shares are copied by the index before any later change writes them.
            return new SnapshotCapture(this, _entries.View());
        }
    }

    void ILogStateMachine.SnapshotWritten(IEnumerable<EncodedRecord> captured, RecordFile snapshot)
    {
        var capture = (SnapshotCapture)captured;
        var entries = capture.Entries;
        for (var start = 0; start < entries.Count; start += RelocationChunk)
        {
            // In chunks, so writers are not held up for the whole index; the old files stay open until all is moved.
            lock (_lock)
            {
                ApplyHandedOver_NeedsLock();
                for (var i = start; i < Math.Min(entries.Count, start + RelocationChunk); i++)
                {
                    _liveBytes += _entries.Relocate(entries, i, new RecordLocation(snapshot, capture.Offsets[i], capture.Lengths[i]));
                }
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

    private static DeadLetterSummary Summarize(IndexedEntry index) => new(
        index.Id,
        index.OperationType,
        index.Status,
        index.Version,
        index.AttemptCount,
        index.MaxAttempts,
        index.NextAttemptAt,
        index.CreatedAt,
        index.UpdatedAt,
        index.RecordSize,
        index.Reason,
        index.FailureGroup,
        index.FirstFailedAt,
        index.LastFailedAt,
        index.ReplayCount,
        index.LastReplayedAt);

    private static void AcquireFile(RecordFile file)
    {
        if (!file.TryAcquire())
        {
            throw new ObjectDisposedException(nameof(FileDeadLetterStore), "The dead letter store is closed.");
        }
    }

    /// <summary>Takes references on an entry's files; called under the lock, while its locations are current.</summary>
    private static void Acquire(IndexedEntry index)
    {
        AcquireFile(index.Put.File);
        if (!ReferenceEquals(index.Error.File, index.Put.File))
        {
            try
            {
                AcquireFile(index.Error.File);
            }
            catch
            {
                index.Put.File.Release();
                throw;
            }
        }
    }

    private static void Release(IndexedEntry index)
    {
        index.Put.File.Release();
        if (!ReferenceEquals(index.Error.File, index.Put.File))
        {
            index.Error.File.Release();
        }
    }

    /// <summary>Reads an entry's records (its files are referenced by the caller) and builds the entry.</summary>
    private static DeadLetterEntry Load(IndexedEntry index)
    {
        var put = ArrayPool<byte>.Shared.Rent(index.Put.Length);
        byte[]? error = null;
        try
        {
            var putBody = ReadBody(index.Put, put, RecordType.Put);
            var errorIsState = index.Error != index.Put;
            var errorBody = putBody;
            if (errorIsState)
            {
                error = ArrayPool<byte>.Shared.Rent(index.Error.Length);
                errorBody = ReadBody(index.Error, error, RecordType.State);
            }

            try
            {
                return RecordCodec.Materialize(index, putBody, errorBody, errorIsState);
            }
            catch (FormatException ex)
            {
                throw new DeadLetterStoreCorruptedException(index.Put.File.Path, index.Put.Offset, "the record of entry '" + index.Id + "' cannot be read: " + ex.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(put);
            if (error is not null)
            {
                ArrayPool<byte>.Shared.Return(error);
            }
        }
    }

    private static ReadOnlySpan<byte> ReadBody(RecordLocation location, byte[] buffer, RecordType expected)
    {
        var record = buffer.AsSpan(0, location.Length);
        location.File.ReadExactly(record, location.Offset);
        return Check(location, record, expected);
    }

    private static ReadOnlySpan<byte> Check(RecordLocation location, ReadOnlySpan<byte> record, RecordType expected)
    {
        if (LogFormat.CheckRecord(record, location.Length, out var type, out _, out var body, out var size) != RecordCheck.Valid
            || size != location.Length || type != expected)
        {
            // Memory never holds what the disk does not: damage found on read is reported, not returned.
            throw new DeadLetterStoreCorruptedException(location.File.Path, location.Offset, "a record an entry points to no longer verifies");
        }

        return body;
    }

    /// <summary>
    /// Whether the stored payload and context equal the entry's (read from disk: memory does not hold them); the
    /// caller acquired the index's files, and they are released here.
    /// </summary>
    private static bool SamePayloadAndContext(IndexedEntry index, DeadLetterEntry entry)
    {
        try
        {
            var stored = Load(index);
            return stored.Payload.Span.SequenceEqual(entry.Payload.Span) && SameContext(stored.Context, entry.Context);
        }
        finally
        {
            Release(index);
        }
    }

    private static bool SameContext(IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> given)
    {
        if (ReferenceEquals(stored, given) || (stored.Count == 0 && given.Count == 0))
        {
            return true;
        }

        if (stored.Count != given.Count)
        {
            return false;
        }

        foreach (var pair in given)
        {
            if (!stored.TryGetValue(pair.Key, out var value) || !string.Equals(value, pair.Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private ValueTask Write(StoreWrite write, bool grows, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        write.Encode();
        // A write whose caller reads no result back (it recycles on apply) may be applied after its acknowledgement.
        var pending = _log.AppendValueAsync(write.Records, _applyDurable, write, grows, mayHandOver: write.RecycleOnApply);

        // A write the log finished on this thread (no backlog) is returned as it is: nothing left to cancel, no task.
        return !cancellationToken.CanBeCanceled || pending.IsCompleted ? pending : new ValueTask(pending.AsTask().WaitAsync(cancellationToken));
    }

    void ILogStateMachine.ApplyHandedOver()
    {
        lock (_lock)
        {
            _log.ApplyHandedOver();
        }
    }

    /// <summary>
    /// Applies the durable changes the log handed over (a group's, applied beside the next flush): every read does this
    /// first, under the lock, so it sees every write acknowledged before it started.
    /// </summary>
    private void ApplyHandedOver_NeedsLock() => _log?.ApplyHandedOver();

    /// <summary>
    /// Reads a running total that the apply keeps: without the lock when nothing waits to be applied (every write
    /// acknowledged before this call was applied then), so callers that check limits before each add do not queue on it.
    /// </summary>
    private long AppliedNumber(ref long total)
    {
        if (_log.HandedOverCount == 0)
        {
            return Interlocked.Read(ref total);
        }

        lock (_lock)
        {
            ApplyHandedOver_NeedsLock();
            return total;
        }
    }

    private void ApplyDurable(ulong first, object? state)
    {
        var write = (StoreWrite)state!;
        var records = write.Records;
        for (var i = 0; i < write.Count; i++)
        {
            Apply(write.Change(i), first + (ulong)i, records[i].Location);
        }

        if (write.RecycleOnApply)
        {
            // Applied, and no caller reads it: the log no longer touches its records (released before this call).
            write.Return();
        }
    }

    /// <summary>
    /// The one function that changes memory, live and at open: conditional changes apply only to an entry at the
    /// expected version, a state change never inserts, and the version becomes the record's sequence number.
    /// </summary>
    private void Apply(DeadLetterChange change, ulong sequence, RecordLocation location)
    {
        lock (_lock)
        {
            var exists = _entries.TryGet(change.Id, out var current);
            if (change.ExpectedVersion != 0 && (!exists || current!.Version != change.ExpectedVersion))
            {
                return;
            }

            switch (change.Kind)
            {
                case DeadLetterChangeKind.Put:
                    // Written into the index straight from the change: no entry object per write.
                    var version = change.Version != 0 ? change.Version : (long)sequence;
                    if (exists)
                    {
                        _payloadBytes -= current!.PayloadLength;
                        _liveBytes -= current.RecordSize;
                        _counts.Remove(current);
                    }

                    _entries.SetPut(exists ? current!.Id : change.Id, change, version, location);
                    _counts.Add(change.OperationType, change.Status, change.PayloadLength, change.AttemptCount);
                    _payloadBytes += change.PayloadLength;
                    _liveBytes += location.Length;
                    if (change.WantsResult)
                    {
                        change.Result = change.Entry! with { Version = version };
                    }

                    break;
                case DeadLetterChangeKind.State:
                    if (!exists)
                    {
                        return;
                    }

                    var updated = current! with
                    {
                        UpdatedTicks = change.UpdatedTicks,
                        AttemptCount = change.AttemptCount,
                        MaxAttempts = change.MaxAttempts,
                        NextAttemptTicks = change.NextAttemptTicks,
                        Status = change.Status,
                        Reason = change.Failure.Reason,

                        // A State record written before the failure fields existed carries none: keep the entry's.
                        FailureGroup = change.Failure.Group ?? current.FailureGroup,
                        FirstFailedTicks = change.Failure.FirstFailed != IndexedEntry.NoTime ? change.Failure.FirstFailed : current.FirstFailedTicks,
                        LastFailedTicks = change.Failure.LastFailed != IndexedEntry.NoTime ? change.Failure.LastFailed : current.LastFailedTicks,
                        ReplayCount = Math.Max(change.Failure.ReplayCount, current.ReplayCount),
                        LastReplayedTicks = change.Failure.LastReplayed != IndexedEntry.NoTime ? change.Failure.LastReplayed : current.LastReplayedTicks,
                        Version = (long)sequence,
                        Error = location,
                    };
                    _entries.Set(updated);
                    _counts.Remove(current);
                    _counts.Add(updated);
                    if (change.WantsResult)
                    {
                        change.Result = change.Entry! with { Version = updated.Version };
                    }

                    break;
                default:
                    if (!exists)
                    {
                        return;
                    }

                    _entries.Remove(change.Id);
                    _counts.Remove(current!);
                    _payloadBytes -= current!.PayloadLength;
                    _liveBytes -= current.RecordSize;
                    break;
            }

            change.Applied = true;
        }
    }

    /// <summary>
    /// The records of a snapshot, encoded lazily (off the writer) from the index as it was at the boundary: each entry
    /// is read back from its records, which stay on disk until this compaction retires them. Remembers where each
    /// record went, for <see cref="ILogStateMachine.SnapshotWritten"/>.
    /// </summary>
    private sealed class SnapshotCapture(FileDeadLetterStore store, IndexView entries) : IEnumerable<EncodedRecord>
    {
        public IndexView Entries { get; } = entries;

        public long[] Offsets { get; } = new long[entries.Count];

        public int[] Lengths { get; } = new int[entries.Count];

        public IEnumerator<EncodedRecord> GetEnumerator()
        {
            var window = new ReadWindow();
            for (var i = 0; i < Entries.Count; i++)
            {
                var index = Entries[i];
                lock (store._lock)
                {
                    Acquire(index);
                }

                EncodedRecord record;
                try
                {
                    record = Encode(index, window);
                }
                finally
                {
                    Release(index);
                }

                yield return record;
                Offsets[i] = record.Offset;
                Lengths[i] = record.Size;
            }
        }

        /// <summary>
        /// An entry unchanged since its Put is copied as it lies on disk (checked, with the snapshot's version); one
        /// with later state changes is read whole and encoded again.
        /// </summary>
        private static EncodedRecord Encode(IndexedEntry index, ReadWindow window)
        {
            if (index.Error == index.Put)
            {
                var body = window.ReadBody(index.Put);
                if (RecordCodec.TryCopyPutForSnapshot(body, index.Version) is { } copied)
                {
                    return copied;
                }
            }

            return RecordCodec.EncodePut(Load(index), index.Version, 0);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>
        /// Reads records through a 1 MiB window: entries in id order mostly lie in file order, so compaction reads the
        /// files in large sequential pieces rather than one call per entry.
        /// </summary>
        private sealed class ReadWindow
        {
            private readonly byte[] _buffer = new byte[1024 * 1024];
            private RecordFile? _file;
            private long _start;
            private int _length;

            public ReadOnlySpan<byte> ReadBody(RecordLocation location)
            {
                if (location.Length > _buffer.Length)
                {
                    return FileDeadLetterStore.ReadBody(location, new byte[location.Length], RecordType.Put);
                }

                if (!ReferenceEquals(_file, location.File) || location.Offset < _start || location.Offset + location.Length > _start + _length)
                {
                    _file = location.File;
                    _start = location.Offset;
                    _length = location.File.ReadUpTo(_buffer, location.Offset);
                }

                var record = _buffer.AsSpan((int)(location.Offset - _start), Math.Min(location.Length, _length - (int)(location.Offset - _start)));
                return Check(location, record, RecordType.Put);
            }
        }
    }
}
