using System.Diagnostics;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Who writes, and when: the writer role passes between threads instead of living on one.
/// </summary>
/// <remarks>
/// <para>
/// A caller that finds nobody writing takes the role and writes a batch (its own request and whatever is queued) on its
/// own thread: a lone producer pays one write and one flush and no thread switch. If requests are still waiting after
/// that batch, a pool thread takes the role on, so the caller is not kept serving others.
/// </para>
/// <para>
/// With <see cref="DurabilityMode.Always"/>, a batch that released several callers is followed by a <em>gather</em>:
/// the next batch waits, at most as long as the last flush took (never over 2 ms), until as many requests as were just
/// acknowledged are queued again. Without it, callers split into two groups that take turns, each flush carrying half
/// of them. Nobody holds the role during the gather: the caller whose request completes it takes the role and writes
/// at once, on its own thread (before, a pool thread waited for the callers, spinning, and then wrote), and a work
/// item on the thread pool, re-queued until the deadline, ends the gather when not enough callers came back. Callers
/// that come after the deadline end it themselves.
/// </para>
/// </remarks>
internal sealed partial class SegmentLog
{
    private const int MaxBatchRequests = 4096;
    private const long MaxBatchBytes = 1024 * 1024;

    private static readonly long MaxGatherTicks = Stopwatch.Frequency / 500;

    private readonly Lock _queueLock = new();
    private List<LogWriteRequest> _pending = [];
    private List<LogWriteRequest> _spare = [];
    private bool _writing;
    private bool _closed;
    private int _gatherTarget;
    private long _gatherDeadline;
    private bool _gatherEnderQueued;
    private TaskCompletionSource? _drained;
    private PoolWriter? _poolWriter;
    private GatherEnder? _gatherEnder;

    private ValueTask Enqueue(LogWriteRequest request)
    {
        // Taken before the request is queued: once queued it may complete, be read and serve another write.
        var task = request.AsValueTask();
        Submit(request);
        return task;
    }

    /// <summary>Queues a request whose task the caller took already, and writes it if nobody is writing.</summary>
    private void Submit(LogWriteRequest request)
    {
        lock (_queueLock)
        {
            if (_closed)
            {
                request.ReleaseRecords();
                request.TrySetException(new ObjectDisposedException(nameof(SegmentLog), $"The {_options.Description} is closed."));
                return;
            }

            _pending.Add(request);
            if (_writing || !GatherIsOver_NeedsLock())
            {
                return;
            }

            _writing = true;
            _gatherTarget = 0;
        }

        WriteAndPassOn(onPool: false);
    }

    /// <summary>Marks the log closed; returns what completes once the requests already queued are written, if any are.</summary>
    private Task? CloseQueue()
    {
        lock (_queueLock)
        {
            _closed = true;

            // Requests can wait with nobody writing during a gather: the work item that ends it writes them (a closed
            // log ends a gather at once).
            if (_writing || _pending.Count > 0)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task;
            }

            return null;
        }
    }

    private long GatherWaitTicks() => _options.MaxGatherWait is { } wait
        ? (long)(wait.TotalSeconds * Stopwatch.Frequency)
        : Math.Min(Volatile.Read(ref _lastFlushTicks), MaxGatherTicks);

    private bool GatherIsOver_NeedsLock()
        => _gatherTarget == 0 || _pending.Count >= _gatherTarget || _closed || Stopwatch.GetTimestamp() >= _gatherDeadline;

    /// <summary>
    /// Writes batches as the holder of the writer role until the role can be passed on: left free for a gather, left
    /// free with nothing queued, or handed to a pool thread when this is a caller and more requests wait.
    /// </summary>
    private void WriteAndPassOn(bool onPool)
    {
        while (true)
        {
            var released = DrainOneBatch();
            var queueEnder = false;
            TaskCompletionSource? drained = null;
            lock (_queueLock)
            {
                var target = Math.Min(_pending.Count + released, MaxBatchRequests);
                if (released > 1 && _options.Durability == DurabilityMode.Always && _fault is null && !_closed && _pending.Count < target)
                {
                    _gatherTarget = target;
                    _gatherDeadline = Stopwatch.GetTimestamp() + GatherWaitTicks();
                    _writing = false;
                    queueEnder = !_gatherEnderQueued;
                    _gatherEnderQueued = true;
                }
                else if (_pending.Count > 0)
                {
                    if (onPool)
                    {
                        continue;
                    }

                    ThreadPool.UnsafeQueueUserWorkItem(_poolWriter ??= new PoolWriter(this), preferLocal: false);
                    return;
                }
                else
                {
                    _writing = false;
                    drained = _drained;
                    _drained = null;
                }
            }

            if (queueEnder)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_gatherEnder ??= new GatherEnder(this), preferLocal: false);
            }

            drained?.TrySetResult();
            return;
        }
    }

    /// <summary>
    /// Ends the gather in progress once it is due, if no caller ended it: takes the role and writes what is queued.
    /// Until then it goes back to the end of the pool's shared queue (a timer would be too coarse: the deadline is a
    /// flush's time, about a tenth of a millisecond here). At most one is queued.
    /// </summary>
    private void EndGatherWhenDue()
    {
        lock (_queueLock)
        {
            if (_gatherTarget == 0 || _writing)
            {
                _gatherEnderQueued = false;
                return;
            }

            if (!GatherIsOver_NeedsLock())
            {
                ThreadPool.UnsafeQueueUserWorkItem(_gatherEnder!, preferLocal: false);
                return;
            }

            _gatherEnderQueued = false;
            _gatherTarget = 0;
            if (_pending.Count == 0)
            {
                return;
            }

            _writing = true;
        }

        WriteAndPassOn(onPool: true);
    }

    /// <summary>Writes one batch of queued requests; returns how many requests it completed.</summary>
    private int DrainOneBatch()
    {
        List<LogWriteRequest> batch;
        long bytes = 0;
        lock (_queueLock)
        {
            batch = _spare;
            batch.Clear();
            var taken = 0;
            while (taken < _pending.Count && taken < MaxBatchRequests && (taken == 0 || bytes + _pending[taken].Size <= MaxBatchBytes))
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

        // Counted before the write: a completed request may already serve another write. A compaction request
        // completes when its compaction does, not now: its caller is not coming back soon.
        var released = 0;
        foreach (var request in batch)
        {
            released += request.IsCompaction ? 0 : 1;
        }

        WriteBatch(batch, bytes);
        batch.Clear();
        lock (_queueLock)
        {
            _spare = batch;
        }

        return released;
    }

    /// <summary>The pool's work item that carries on writing for the callers (one per log, queued by the role's holder).</summary>
    private sealed class PoolWriter(SegmentLog log) : IThreadPoolWorkItem
    {
        public void Execute() => log.WriteAndPassOn(onPool: true);
    }

    /// <summary>The pool's work item that ends a gather at its deadline (one per log).</summary>
    private sealed class GatherEnder(SegmentLog log) : IThreadPoolWorkItem
    {
        public void Execute() => log.EndGatherWhenDue();
    }
}
