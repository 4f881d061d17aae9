using System.Globalization;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// An append-only, checksummed, crash-safe log in a directory of segment files, with group commit: the first caller
/// to find the log idle becomes the writer and writes (and flushes) its own request on its own thread, so a lone
/// producer pays one write and one flush and no thread switch; requests that arrive meanwhile queue up and are
/// written together, with one flush, by a pool thread that takes over.
/// </summary>
/// <remarks>
/// A request completes only after its records (and every earlier record) are written and, with
/// <see cref="DurabilityMode.Always"/>, flushed. Any write or flush failure faults the log for good: the failing
/// requests and every later one fail, because what reached the disk is unknown until the log is reopened.
/// </remarks>
internal sealed partial class SegmentLog : IAsyncDisposable
{
    private const int MaxBatchRequests = 4096;
    private const long MaxBatchBytes = 1024 * 1024;

    private readonly Lock _fileLock = new();
    private readonly string _directory;
    private readonly LogFileSystem _files;
    private readonly ILogStateMachine _state;
    private readonly DurabilityMode _durability;
    private readonly long _segmentSize;
    private readonly long _compactionThreshold;
    private readonly int _maxRecordLength;
    private readonly Lock _queueLock = new();
    private List<LogWriteRequest> _pending = [];
    private List<LogWriteRequest> _spare = [];
    private bool _writing;
    private bool _closed;
    private TaskCompletionSource? _drained;
    private readonly List<(string Path, ulong FirstSequence)> _segments = [];
    private readonly FileStream _lockFile;
    private ITimer? _flushTimer;
    private LogFile? _segment;
    private long _segmentLength;
    private long _logBytes;
    private ulong _nextSequence = 1;
    private byte[] _batchBuffer = new byte[64 * 1024];
    private bool _dirty;
    private volatile Exception? _fault;

    private SegmentLog(string directory, FileDeadLetterStoreOptions options, LogFileSystem files, ILogStateMachine state, FileStream lockFile)
    {
        _directory = directory;
        _files = files;
        _state = state;
        _durability = options.Durability;
        _segmentSize = options.SegmentSize;
        _compactionThreshold = options.CompactionThreshold;
        _maxRecordLength = options.MaxPayloadBytes + (64 * 1024);
        _lockFile = lockFile;
    }

    public RecoveryReport Recovery { get; } = new();

    public long SnapshotCount { get; private set; }

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

    public bool IsFaulted => _fault is not null;

    public static SegmentLog Open(FileDeadLetterStoreOptions options, LogFileSystem files, ILogStateMachine state)
    {
        var directory = Path.GetFullPath(options.Directory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"The dead letter store directory '{directory}' does not exist and cannot be created: {ex.Message}", ex);
        }

        var lockFile = AcquireLock(directory);
        var log = new SegmentLog(directory, options, files, state, lockFile);
        try
        {
            log.Recover(options.CorruptionHandling);
            if (log._durability == DurabilityMode.Interval)
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

    public Task AppendAsync(IReadOnlyList<EncodedRecord> records, Action? onDurable)
    {
        if (_fault is { } fault)
        {
            ReleaseAll(records);
            return Task.FromException(Faulted(fault));
        }

        var request = new LogWriteRequest(records, onDurable);
        lock (_queueLock)
        {
            if (_closed)
            {
                request.ReleaseRecords();
                return Task.FromException(new ObjectDisposedException(nameof(FileDeadLetterStore), "The dead letter store is closed."));
            }

            _pending.Add(request);
            if (_writing)
            {
                return request.Task;
            }

            _writing = true;
        }

        // This caller writes the first batch (its own request included) on its own thread; if more arrived in the
        // meantime, a pool thread carries on so the caller is not kept serving others.
        if (DrainOneBatch())
        {
            ThreadPool.UnsafeQueueUserWorkItem(static log => log.DrainAll(), this, preferLocal: false);
        }

        return request.Task;
    }

    public async ValueTask DisposeAsync()
    {
        Task? drained = null;
        lock (_queueLock)
        {
            _closed = true;
            if (_writing)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
        }

        if (drained is not null)
        {
            await drained.ConfigureAwait(false);
        }

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

    private static FileStream AcquireLock(string directory)
    {
        var lockPath = Path.Combine(directory, "LOCK");
        var ownerPath = Path.Combine(directory, "LOCK.owner");
        FileStream lockFile;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            lockFile = new FileStream(lockPath, options);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"The dead letter store directory '{directory}' is not writable: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            string holder;
            try
            {
                holder = File.ReadAllText(ownerPath).Trim();
            }
            catch (IOException)
            {
                holder = "an unknown process";
            }
            catch (UnauthorizedAccessException)
            {
                holder = "an unknown process";
            }

            throw new IOException($"The dead letter store directory '{directory}' is locked by {holder}. One process (one store instance) owns a directory at a time.", ex);
        }

        File.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} ({Environment.MachineName})"));
        return lockFile;
    }

    private void DrainAll()
    {
        while (DrainOneBatch())
        {
        }
    }

    /// <summary>Writes one batch of queued requests; returns whether more are waiting (the caller must go on).</summary>
    private bool DrainOneBatch()
    {
        List<LogWriteRequest> batch;
        long bytes = 0;
        lock (_queueLock)
        {
            batch = _spare;
            batch.Clear();
            var taken = 0;
            while (taken < _pending.Count && taken < MaxBatchRequests && bytes < MaxBatchBytes)
            {
                bytes += _pending[taken].Size;
                taken++;
            }

            if (taken == _pending.Count)
            {
                _spare = _pending;
                _pending = batch;
                batch = _spare;
            }
            else
            {
                batch.AddRange(_pending.GetRange(0, taken));
                _pending.RemoveRange(0, taken);
            }
        }

        WriteBatch(batch, bytes);
        batch.Clear();

        TaskCompletionSource? drained = null;
        lock (_queueLock)
        {
            _spare = batch;
            if (_pending.Count > 0)
            {
                return true;
            }

            _writing = false;
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        return false;
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

        foreach (var request in batch)
        {
            request.ReleaseRecords();
#pragma warning disable CA1031 // The follow-up belongs to its request: its failure goes to that caller, never kills the writer loop.
            try
            {
                request.OnDurable?.Invoke();
                request.TrySetResult();
            }
            catch (Exception ex)
            {
                request.TrySetException(ex);
            }
#pragma warning restore CA1031
        }

        MaybeCompact();
    }

    private void WriteBatch_NeedsLock(List<LogWriteRequest> batch, long bytes)
    {
        if (_segmentLength > LogFormat.HeaderSize && _segmentLength + bytes > _segmentSize)
        {
            RollSegment_NeedsLock();
        }

        if (_batchBuffer.Length < bytes)
        {
            _batchBuffer = new byte[Math.Max(bytes, _batchBuffer.Length * 2L)];
        }

        var position = 0;
        foreach (var request in batch)
        {
            foreach (var record in request.Records)
            {
                var sealedRecord = record.Seal(_nextSequence++);
                sealedRecord.CopyTo(_batchBuffer.AsSpan(position));
                position += sealedRecord.Length;
            }
        }

        _segment!.Write(_batchBuffer.AsSpan(0, position), _segmentLength);
        _segmentLength += position;
        _logBytes += position;
        if (_durability == DurabilityMode.Always)
        {
            _segment.Flush();
        }
        else
        {
            _dirty = true;
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
                _segment.Flush();
                _dirty = false;
            }
#pragma warning disable CA1031 // A failed background flush faults the log: later writes must not be acknowledged.
            catch (Exception ex)
            {
                _fault = ex;
            }
#pragma warning restore CA1031
        }
    }

    private void RollSegment_NeedsLock()
    {
        // Everything in the closing segment is made durable before the next one exists, so a later segment never
        // holds records whose predecessors could still be lost.
        _segment!.Flush();
        _dirty = false;
        _segment.Dispose();
        _segment = null;
        StartSegment_NeedsLock(_nextSequence);
    }

    private void StartSegment_NeedsLock(ulong firstSequence)
    {
        var path = SegmentPath(firstSequence);
        var file = _files.Open(path, createNew: true);
        Span<byte> header = stackalloc byte[LogFormat.HeaderSize];
        LogFormat.WriteHeader(header, LogFormat.SegmentMagic, firstSequence);
        file.Write(header, 0);
        file.Flush();
        _files.FlushDirectory(_directory);
        _segment = file;
        _segmentLength = LogFormat.HeaderSize;
        _logBytes += LogFormat.HeaderSize;
        _segments.Add((path, firstSequence));
    }

    private string SegmentPath(ulong firstSequence) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"seg-{firstSequence:D20}.log"));

    private string SnapshotPath(ulong sequence, string extension) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"snap-{sequence:D20}.{extension}"));

    private void CloseFiles()
    {
        lock (_fileLock)
        {
            _segment?.Dispose();
            _segment = null;
        }

        _lockFile.Dispose();
    }

    private static DeadLetterStoreFaultedException Faulted(Exception fault) => fault as DeadLetterStoreFaultedException
        ?? new DeadLetterStoreFaultedException($"The dead letter store failed to write or flush and accepts no more writes until it is reopened: {fault.Message}", fault);

    private static void ReleaseAll(IReadOnlyList<EncodedRecord> records)
    {
        foreach (var record in records)
        {
            record.Release();
        }
    }
}
