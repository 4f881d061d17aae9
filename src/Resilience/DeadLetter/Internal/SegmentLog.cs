using System.Diagnostics;
using System.Globalization;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// An append-only, checksummed, crash-safe log in a directory of preallocated segment files, with group commit:
/// requests that arrive while a batch is written queue up and go together in the next, as one batch closed by a commit
/// record, with one flush (who writes, and when, is in <c>SegmentLog.GroupCommit.cs</c>).
/// </summary>
/// <remarks>
/// A request completes only after its records (and every earlier record) are written and, with
/// <see cref="DurabilityMode.Always"/>, flushed, and after its owner applied them to memory — in log order, so memory
/// is always the replay of a prefix of the log — or, for a group's plain writes, handed them over to be applied before
/// the owner's next read (<c>SegmentLog.Handover.cs</c>). Any write or flush failure faults the log for good:
/// the failing requests and every later one fail, because what reached the disk is unknown until the log is reopened.
/// </remarks>
internal sealed partial class SegmentLog : IAsyncDisposable
{
    private const long ZeroAheadBytes = 1024 * 1024;

    private readonly Lock _fileLock = new();
    private readonly string _directory;
    private readonly LogFileSystem _files;
    private readonly ILogStateMachine _state;
    private readonly LogOptions _options;
    private readonly List<LogSegment> _segments = [];
    private readonly FileStream _lockFile;
    private readonly LogWriteRequest.RequestPool _requests = new();
    private long _lastFlushTicks;
    private long _batchCount;
    private ITimer? _flushTimer;
    private LogFile? _segment;
    private RecordFile? _snapshotFile;
    private long _segmentLength;
    private long _segmentCapacity;
    private long _segmentBytes;
    private long _zeroedTo;
    private long _snapshotBytes;
    private ulong _nextSequence = 1;
    private ulong _durableSequence;
    private byte[] _batchBuffer = new byte[64 * 1024];
    private bool _dirty;
    private volatile Exception? _fault;

    private SegmentLog(string directory, LogOptions options, LogFileSystem files, ILogStateMachine state, FileStream lockFile)
    {
        _directory = directory;
        _files = files;
        _state = state;
        _options = options;
        _lockFile = lockFile;
    }

    public RecoveryReport Recovery { get; } = new();

    public int SegmentCount
    {
        get
        {
            lock (_fileLock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Gets the bytes the log's segments and snapshot hold.</summary>
    public long TotalBytes => Interlocked.Read(ref _segmentBytes) + Interlocked.Read(ref _snapshotBytes);

    public bool IsFaulted => _fault is not null;

    /// <summary>Gets how many batches (each closed by a commit record) were written since the log was opened.</summary>
    public long BatchCount => Interlocked.Read(ref _batchCount);

    /// <summary>Gets where data ends in the segment being written.</summary>
    public long ActiveSegmentLength
    {
        get
        {
            lock (_fileLock)
            {
                return _segmentLength;
            }
        }
    }

    /// <summary>Gets what faulted the log, if it is faulted.</summary>
    public Exception? Fault => _fault;

    /// <summary>Gets a value indicating whether the segment being written is written through a mapping.</summary>
    public bool WritesThroughMapping
    {
        get
        {
            lock (_fileLock)
            {
                return _segment?.IsMapped == true;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether new segments are written through a mapping: when a write is acknowledged once
    /// it is in the OS (<see cref="DurabilityMode.OsBuffered"/>, <see cref="DurabilityMode.Interval"/>), a copy into the
    /// page cache replaces the write system call. <see cref="DurabilityMode.Always"/> flushes every batch anyway, and
    /// its batches amortise the call, so it keeps positional writes.
    /// </summary>
    private bool MapsSegments => _options.Durability != DurabilityMode.Always;

    public static SegmentLog Open(LogOptions options, LogFileSystem files, ILogStateMachine state)
    {
        var directory = LogDirectory.Prepare(options.Directory, options.Description);
        var lockFile = LogDirectory.AcquireLock(directory, options.Description);
        var log = new SegmentLog(directory, options, files, state, lockFile);
        try
        {
            log.Recover();
            if (options.Durability == DurabilityMode.Interval)
            {
                log._flushTimer = options.TimeProvider.CreateTimer(static s => ((SegmentLog)s!).FlushIfDirty(), log, options.FlushInterval, options.FlushInterval);
            }

            return log;
        }
        catch
        {
            log.CloseFiles();
            throw;
        }
    }

    /// <summary>
    /// Queues records; <paramref name="onDurable"/> gets the first one's sequence number once they are durable and
    /// runs before the task completes.
    /// </summary>
    /// <param name="records">The records, in order; released by the log.</param>
    /// <param name="onDurable">Applies them to memory.</param>
    /// <param name="grows">Whether the write adds data (refused when the log is at its size limit; removals never are).</param>
    public Task AppendAsync(IReadOnlyList<EncodedRecord> records, Action<ulong>? onDurable, bool grows = false)
        => AppendValueAsync(records, onDurable is null ? null : static (first, state) => ((Action<ulong>)state!)(first), onDurable, grows).AsTask();

    /// <summary>
    /// Queues records; the state-passing form, so the caller's follow-up needs no closure, and pooled: the returned
    /// task must be awaited exactly once (or turned into a task once).
    /// </summary>
    /// <param name="records">The records, in order; released by the log.</param>
    /// <param name="onDurable">Applies them to memory, given the first one's sequence number and <paramref name="state"/>.</param>
    /// <param name="state">What <paramref name="onDurable"/> is given.</param>
    /// <param name="grows">Whether the write adds data (refused when the log is at its size limit).</param>
    /// <param name="mayHandOver">
    /// Whether the caller reads nothing back from memory after the write, so that in a group its follow-up may run after
    /// the acknowledgement (applied before any read of the owner: see <see cref="ApplyHandedOver"/>).
    /// </param>
    public ValueTask AppendValueAsync(IReadOnlyList<EncodedRecord> records, Action<ulong, object?>? onDurable, object? state, bool grows = false, bool mayHandOver = false)
        => Refusal(records, grows) is { } refused
            ? ValueTask.FromException(refused)
            : Enqueue(LogWriteRequest.Rent(_requests, records, onDurable, state, mayHandOver: mayHandOver));

    /// <summary>
    /// Queues records as <see cref="AppendValueAsync"/> does; the task's result is the first record's sequence number,
    /// so a caller handed over (<paramref name="mayHandOver"/>) still learns the version its record got.
    /// </summary>
    /// <param name="records">The records, in order; released by the log.</param>
    /// <param name="onDurable">Applies them to memory, given the first one's sequence number and <paramref name="state"/>.</param>
    /// <param name="state">What <paramref name="onDurable"/> is given.</param>
    /// <param name="grows">Whether the write adds data (refused when the log is at its size limit).</param>
    /// <param name="mayHandOver">Whether the caller reads nothing back from memory after the write (see <see cref="AppendValueAsync"/>).</param>
    public ValueTask<ulong> AppendSequencedAsync(IReadOnlyList<EncodedRecord> records, Action<ulong, object?> onDurable, object? state, bool grows, bool mayHandOver)
    {
        if (Refusal(records, grows) is { } refused)
        {
            return ValueTask.FromException<ulong>(refused);
        }

        var request = LogWriteRequest.Rent(_requests, records, onDurable, state, mayHandOver: mayHandOver);
        var task = request.AsSequencedValueTask();
        Submit(request);
        return task;
    }

    /// <summary>Why the write cannot be queued (a faulted log, or a full one for a write that grows it), its records released; or null.</summary>
    private Exception? Refusal(IReadOnlyList<EncodedRecord> records, bool grows)
    {
        if (_fault is { } fault)
        {
            ReleaseAll(records);
            return Faulted(fault);
        }

        long size = 0;
        for (var i = 0; i < records.Count; i++)
        {
            size += records[i].Size;
        }

        if (grows && TotalBytes + size > _options.MaxTotalBytes)
        {
            ReleaseAll(records);
            RequestCompactionIfIdle();
            return new DeadLetterQueueFullException(string.Create(
                CultureInfo.InvariantCulture,
                $"The {_options.Description} in '{_directory}' holds {TotalBytes} bytes on disk and the write needs {size} more; the limit is {_options.MaxTotalBytes} ({_options.MaxTotalBytesOptionName}). Remove entries (compaction then reclaims their space) or raise the limit."));
        }

        return null;
    }

    /// <summary>
    /// Snapshots the state as of every write queued before this call and deletes the segments the snapshot covers.
    /// </summary>
    public Task CompactAsync() => Enqueue(LogWriteRequest.Rent(_requests, [], null, null, isCompaction: true)).AsTask();

    public async ValueTask DisposeAsync()
    {
        var drained = CloseQueue();
        if (drained is not null)
        {
            await drained.ConfigureAwait(false);
        }

        await WaitForCompactionAsync().ConfigureAwait(false);
        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        lock (_fileLock)
        {
            if (_fault is null && _dirty)
            {
                // A close that cannot flush leaves the data to the OS; nothing waits for an acknowledgement anymore.
                try
                {
                    _segment?.Flush();
                }
                catch (IOException)
                {
                }
            }
        }

        CloseFiles();
    }

    private void WriteBatch(List<LogWriteRequest> batch, long bytes)
    {
        if (_fault is null)
        {
            try
            {
                lock (_fileLock)
                {
                    WriteBatch_NeedsLock(batch, bytes);
                }
            }
#pragma warning disable CA1031 // Any failure of the disk faults the log; the callers get it through their requests.
            catch (Exception ex)
            {
                _fault = ex;
                lock (_fileLock)
                {
                    CloseSegmentOnFault_NeedsLock();
                }
            }
#pragma warning restore CA1031
        }

        if (_fault is { } fault)
        {
            foreach (var request in batch)
            {
                request.ReleaseRecords();
                request.TrySetException(Faulted(fault));
            }

            return;
        }

        List<LogWriteRequest>? compactions = null;
        foreach (var request in batch)
        {
            request.ReleaseRecords();
            if (request.IsCompaction)
            {
                (compactions ??= []).Add(request);
            }
        }

        if (MayHandOver(batch))
        {
            HandOver(batch);
        }
        else
        {
            ApplyAndAcknowledge(batch);
        }

        // Every record of the batch is applied now, or handed over (a snapshot's capture applies that first), so the
        // state is exactly that of the log so far: the one moment a snapshot boundary may be taken.
        if (compactions is not null)
        {
            StartCompaction(compactions);
        }
        else if (ShouldCompact())
        {
            StartCompaction([]);
        }
    }

    /// <summary>Applies a durable batch's follow-ups, in log order after what earlier batches handed over, then acknowledges each caller.</summary>
    private void ApplyAndAcknowledge(List<LogWriteRequest> batch)
    {
        if (HasHandedOver)
        {
            _state.ApplyHandedOver();
        }

        foreach (var request in batch)
        {
            if (request.IsCompaction)
            {
                continue;
            }

#pragma warning disable CA1031 // The follow-up belongs to its request: its failure goes to that caller, never kills the writer loop.
            try
            {
                request.OnDurable?.Invoke(request.FirstSequence, request.State);
                request.TrySetResult();
            }
            catch (Exception ex)
            {
                request.TrySetException(ex);
            }
#pragma warning restore CA1031
        }
    }

    private void WriteBatch_NeedsLock(List<LogWriteRequest> batch, long bytes)
    {
        if (bytes == 0)
        {
            foreach (var request in batch)
            {
                request.FirstSequence = _nextSequence;
            }

            return;
        }

        var total = bytes + LogFormat.CommitSize;
        if (_segmentLength + total + LogFormat.SegmentEndSize > _segmentCapacity)
        {
            if (_segmentLength == LogFormat.HeaderSize)
            {
                // A fresh segment too small for this batch grows instead of rolling (a roll would reuse its name).
                GrowSegment_NeedsLock(total);
            }
            else
            {
                RollSegment_NeedsLock(total);
            }
        }

        if (_batchBuffer.Length < total)
        {
            _batchBuffer = new byte[Math.Max(total, _batchBuffer.Length * 2L)];
        }

        if (_options.Durability == DurabilityMode.Always)
        {
            // Before this batch is even copied: the callers wait for its flush, so the other processor is free.
            ApplyHandedOverBesideFlush();
        }

        var first = _nextSequence;
        var position = 0;
        var count = 0;
        var file = _segments[^1].Reader;
        foreach (var request in batch)
        {
            request.FirstSequence = _nextSequence;
            var records = request.Records;
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                record.File = file;
                record.Offset = _segmentLength + position;
                var sealedRecord = record.Seal(_nextSequence++);
                sealedRecord.CopyTo(_batchBuffer.AsSpan(position));
                position += sealedRecord.Length;
                count++;
            }
        }

        var crc = Crc32C.Finish(Crc32C.Update(Crc32C.Initial, _batchBuffer.AsSpan(0, position)));
        LogFormat.WriteCommit(_batchBuffer.AsSpan(position), first, _nextSequence - 1, position, crc, _durableSequence, count);
        position += LogFormat.CommitSize;

        _segment!.Write(_batchBuffer.AsSpan(0, position), _segmentLength);
        if (_options.Durability == DurabilityMode.Always)
        {
            ZeroAhead_NeedsLock(_segmentLength + position);
        }

        Interlocked.Increment(ref _batchCount);
        _segmentLength += position;
        Interlocked.Add(ref _segmentBytes, position);
        _segments[^1].UsedBytes = _segmentLength;
        if (_options.Durability == DurabilityMode.Always)
        {
            var started = Stopwatch.GetTimestamp();
            _segment.Flush();
            Volatile.Write(ref _lastFlushTicks, Stopwatch.GetTimestamp() - started);
            _durableSequence = _nextSequence - 1;
        }
        else
        {
            _dirty = true;
        }
    }

    /// <summary>
    /// Keeps zeros written ahead of where the next batches go, so that their flushes write data into blocks the file
    /// system already allocated: a flush then writes the data and no metadata (on ext4 here, 120-135 µs per flush of
    /// a 19 KB batch instead of 175-200 µs into a preallocated, sparse segment). The zeros are written in the same
    /// flush as the batch before them, one chunk at a time. Zeros are what an untouched preallocated segment reads as,
    /// so recovery sees nothing new; they are only ever written past the data. Failing to write them only stops the
    /// zero-fill for this segment: the batch's own write succeeded, and its flush decides.
    /// </summary>
    private void ZeroAhead_NeedsLock(long dataEnd)
    {
        if (dataEnd + (ZeroAheadBytes / 2) <= _zeroedTo)
        {
            return;
        }

        var from = Math.Max(_zeroedTo, dataEnd);
        var to = Math.Min(_segmentCapacity, from + ZeroAheadBytes);
        _zeroedTo = long.MaxValue;
        if (to <= from)
        {
            return;
        }

        try
        {
            _segment!.WriteZeros(from, to - from);
            _zeroedTo = to;
        }
        catch (IOException)
        {
        }
    }

    private void FlushIfDirty()
    {
        lock (_fileLock)
        {
            if (!_dirty || _fault is not null || _segment is null)
            {
                return;
            }

            try
            {
                var through = _nextSequence - 1;
                _segment.Flush();
                _dirty = false;
                _durableSequence = through;
            }
#pragma warning disable CA1031 // A failed background flush faults the log: later writes must not be acknowledged.
            catch (Exception ex)
            {
                _fault = ex;
                CloseSegmentOnFault_NeedsLock();
            }
#pragma warning restore CA1031
        }
    }

    /// <summary>
    /// Starts the next segment. Order matters for recovery: everything in the closing segment is flushed, the new
    /// segment is created and made durable, and only then is the closing segment's end record written; so a segment
    /// end record always has its successor on disk, and a crash in between leaves an empty successor, which recovery
    /// recognises as an interrupted roll.
    /// </summary>
    private void RollSegment_NeedsLock(long needed)
    {
        var closing = _segment!;
        var closingLength = _segmentLength;
        closing.Flush();
        _dirty = false;
        _durableSequence = _nextSequence - 1;
        StartSegment_NeedsLock(_nextSequence, needed);

        Span<byte> end = stackalloc byte[LogFormat.SegmentEndSize];
        LogFormat.WriteSegmentEnd(end, _nextSequence);
        closing.Write(end, closingLength);
        closing.Flush();
        closing.Dispose();
        _segments[^2].UsedBytes = closingLength + end.Length;
        Interlocked.Add(ref _segmentBytes, end.Length);
    }

    private void GrowSegment_NeedsLock(long needed)
    {
        var capacity = (LogFormat.HeaderSize + needed + LogFormat.SegmentEndSize + 4095) & ~4095L;

        // Longer first, then the header that records it: a crash in between leaves a file longer than its header says, never shorter.
        _segment!.SetLength(capacity);
        if (MapsSegments)
        {
            _segment.ReserveAndMap(capacity);
        }

        _segment.Flush();
        Span<byte> header = stackalloc byte[LogFormat.HeaderSize];
        LogFormat.WriteHeader(header, snapshot: false, _segments[^1].FirstSequence, capacity);
        _segment.Write(header, 0);
        _segment.Flush();
        _segmentCapacity = capacity;
    }

    private void StartSegment_NeedsLock(ulong firstSequence, long needed)
    {
        var capacity = Math.Max(_options.SegmentSize, LogFormat.HeaderSize + needed + LogFormat.SegmentEndSize);
        capacity = (capacity + 4095) & ~4095L;
        var path = SegmentPath(firstSequence);
        var file = _files.Open(path, createNew: true);
        RecordFile reader;
        try
        {
            // The length comes first and the header that records it second, both durable before any record: a crash
            // never leaves a segment shorter than its header says, so a short one was cut.
            file.SetLength(capacity);
            if (MapsSegments)
            {
                // Reserved before anything is written into the mapping: a disk that cannot hold the segment fails
                // here, as an IOException that faults the log like a failed write, never as a SIGBUS in a copy.
                file.ReserveAndMap(capacity);
            }

            Span<byte> header = stackalloc byte[LogFormat.HeaderSize];
            LogFormat.WriteHeader(header, snapshot: false, firstSequence, capacity);
            file.Write(header, 0);
            file.Flush();
            _files.FlushDirectory(_directory);
            reader = new RecordFile(path, _files.OpenRead(path));
        }
        catch
        {
            file.Dispose();
            throw;
        }

        _segment = file;
        _segmentLength = LogFormat.HeaderSize;
        _zeroedTo = LogFormat.HeaderSize;
        _segmentCapacity = capacity;
        Interlocked.Add(ref _segmentBytes, LogFormat.HeaderSize);
        _segments.Add(new LogSegment(path, firstSequence) { UsedBytes = LogFormat.HeaderSize, Reader = reader });
    }

    /// <summary>
    /// Closes the segment being written once the log is faulted (nothing is written to it anymore): its mapping, if
    /// any, goes with it. Records stay readable through their own handles.
    /// </summary>
    private void CloseSegmentOnFault_NeedsLock()
    {
        var segment = _segment;
        _segment = null;
        try
        {
            segment?.Dispose();
        }
        catch (IOException)
        {
            // What reached the OS is unknown anyway: the log is faulted until it is reopened.
        }
    }

    /// <summary>
    /// Maps the segment that recovery resumes writing to, when new segments are mapped; one whose blocks cannot be
    /// reserved now (a full disk) keeps positional writes, which fail as exceptions, until it rolls.
    /// </summary>
    private void MapResumedSegment()
    {
        if (!MapsSegments || _segment is null)
        {
            return;
        }

        try
        {
            _segment.ReserveAndMap(_segmentCapacity);
        }
        catch (IOException)
        {
        }
    }

    private string SegmentPath(ulong firstSequence) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"seg-{firstSequence:D20}.log"));

    private string SnapshotPath(ulong sequence, string extension) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"snap-{sequence:D20}.{extension}"));

    private void CloseFiles()
    {
        lock (_fileLock)
        {
            _segment?.Dispose();
            _segment = null;

            // Readers in flight keep their file open until they finish; nothing new can find these files after the close.
            foreach (var segment in _segments)
            {
                segment.Reader?.Retire();
            }

            _segments.Clear();
            _snapshotFile?.Retire();
            _snapshotFile = null;
        }

        _lockFile.Dispose();
    }

    private DeadLetterStoreFaultedException Faulted(Exception fault) => fault as DeadLetterStoreFaultedException
        ?? new DeadLetterStoreFaultedException($"The {_options.Description} failed to write or flush and accepts no more writes until it is reopened: {fault.Message}", fault);

    private static void ReleaseAll(IReadOnlyList<EncodedRecord> records)
    {
        for (var i = 0; i < records.Count; i++)
        {
            records[i].Release();
        }
    }
}

/// <summary>One segment file of the log and how much of it is used.</summary>
internal sealed class LogSegment(string path, ulong firstSequence)
{
    public string Path { get; } = path;

    public ulong FirstSequence { get; } = firstSequence;

    public long UsedBytes { get; set; }

    /// <summary>Gets the handle that records are read through on demand.</summary>
    public RecordFile? Reader { get; init; }
}
