using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Records waiting for the writer, and what to apply once they are durable. Completes when they are applied, or for a
/// compaction request, when the compaction it asked for is done.
/// </summary>
/// <remarks>
/// Pooled: the caller awaits a <see cref="ValueTask"/> backed by this object, and reading its result returns the
/// object to its log's pool, so a write allocates no task source. Hence the rules: it is awaited exactly once (the
/// log's own callers do; <see cref="ValueTask.AsTask"/> where a task is needed), it completes at most once (a second
/// completion is ignored), and nothing touches it after completing it, since it may already serve another write.
/// Continuations run asynchronously, as with the task source it replaces, so no caller's code runs on the writer.
/// </remarks>
internal sealed class LogWriteRequest : IValueTaskSource, IValueTaskSource<ulong>
{
    private static readonly IReadOnlyList<EncodedRecord> NoRecords = [];

    private readonly RequestPool? _pool;
    private ManualResetValueTaskSourceCore<ulong> _core;
    private int _completed;

    private LogWriteRequest(RequestPool? pool)
    {
        _pool = pool;
        _core.RunContinuationsAsynchronously = true;
    }

    public IReadOnlyList<EncodedRecord> Records { get; private set; } = NoRecords;

    /// <summary>Gets what applies the records to memory, given the sequence number of the first; runs in log order.</summary>
    public Action<ulong, object?>? OnDurable { get; private set; }

    /// <summary>Gets what <see cref="OnDurable"/> is given besides the sequence number (so it can be a static lambda).</summary>
    public object? State { get; private set; }

    public bool IsCompaction { get; private set; }

    /// <summary>Gets a value indicating whether the follow-up may run after the acknowledgement (see <c>SegmentLog.Handover.cs</c>).</summary>
    public bool MayHandOver { get; private set; }

    public long Size { get; private set; }

    /// <summary>Gets or sets the sequence number the writer gave the first record.</summary>
    public ulong FirstSequence { get; set; }

    /// <summary>Gets a request from the pool (or a new one), ready to be queued.</summary>
    public static LogWriteRequest Rent(RequestPool? pool, IReadOnlyList<EncodedRecord> records, Action<ulong, object?>? onDurable, object? state, bool isCompaction = false, bool mayHandOver = false)
    {
        var request = pool?.TryTake() ?? new LogWriteRequest(pool);
        request.Records = records;
        request.OnDurable = onDurable;
        request.State = state;
        request.IsCompaction = isCompaction;
        request.MayHandOver = mayHandOver;
        long size = 0;
        for (var i = 0; i < records.Count; i++)
        {
            size += records[i].Size;
        }

        request.Size = size;
        return request;
    }

    /// <summary>Gets the task for this use of the request; take it before the request is queued.</summary>
    public ValueTask AsValueTask() => new(this, _core.Version);

    /// <summary>Gets the task for this use of the request, whose result is the first record's sequence number; take it before the request is queued.</summary>
    public ValueTask<ulong> AsSequencedValueTask() => new(this, _core.Version);

    public void TrySetResult()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetResult(FirstSequence);
        }
    }

    public void TrySetException(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    public void ReleaseRecords()
    {
        // Indexed, not foreach: enumerating the interface would allocate an enumerator per write.
        var records = Records;
        for (var i = 0; i < records.Count; i++)
        {
            records[i].Release();
        }
    }

    void IValueTaskSource.GetResult(short token) => ((IValueTaskSource<ulong>)this).GetResult(token);

    ulong IValueTaskSource<ulong>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // The one read of the result: the request is free again.
            Records = NoRecords;
            OnDurable = null;
            State = null;
            FirstSequence = 0;
            _core.Reset();
            Volatile.Write(ref _completed, 0);
            _pool?.Return(this);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource<ulong>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource<ulong>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    /// <summary>One log's free requests: bounded, so a burst does not keep its peak number of requests for good.</summary>
    internal sealed class RequestPool
    {
        private const int MaxFree = 1024;
        private readonly ConcurrentQueue<LogWriteRequest> _free = new();
        private int _count;

        public LogWriteRequest? TryTake()
        {
            if (_free.TryDequeue(out var request))
            {
                Interlocked.Decrement(ref _count);
                return request;
            }

            return null;
        }

        public void Return(LogWriteRequest request)
        {
            if (Interlocked.Increment(ref _count) <= MaxFree)
            {
                _free.Enqueue(request);
            }
            else
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
