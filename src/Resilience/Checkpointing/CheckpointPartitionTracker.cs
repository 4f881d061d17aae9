namespace Resilience.Checkpointing;

/// <summary>
/// The ordered "done up to" position of one partition when items are handled in parallel: items start in offset
/// order, finish in any order, and the partition's offset moves only to the first item not yet finished, so a commit
/// never covers an unfinished item. Get one from <see cref="CheckpointManager.Track"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Offsets never started (a gap in the stream) count as done once a later item is started. Each change of
/// <see cref="DoneUpTo"/> goes to the manager at once (in memory; durable at the next commit).
/// </remarks>
public sealed class CheckpointPartitionTracker
{
    private readonly Lock _lock = new();
    private readonly CheckpointManager _manager;
    private readonly Queue<long> _started = new();
    private readonly HashSet<long> _running = [];
    private long _nextStart;

    internal CheckpointPartitionTracker(CheckpointManager manager, CheckpointKey key, long start)
    {
        _manager = manager;
        Key = key;
        _nextStart = start;
    }

    /// <summary>Gets the partition.</summary>
    public CheckpointKey Key { get; }

    /// <summary>Gets the position every item before which is done: the first started item not finished, or the offset after the last one started.</summary>
    public long DoneUpTo
    {
        get
        {
            lock (_lock)
            {
                return DoneUpTo_NeedsLock();
            }
        }
    }

    /// <summary>Gets the number of started items not finished yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Records that the item at <paramref name="offset"/> started; items start in increasing offset order.</summary>
    /// <param name="offset">The item's offset.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is below the offset after the last item started (or below the committed position).</exception>
    public void Start(long offset)
    {
        long done;
        lock (_lock)
        {
            if (offset < _nextStart)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Items of {Key.Stream}/{Key.Partition} start in offset order: the next may be {_nextStart} or later.");
            }

            _started.Enqueue(offset);
            _running.Add(offset);
            _nextStart = offset + 1;
            done = DoneUpTo_NeedsLock();
        }

        _manager.ReportLatest(Key.Stream, Key.Partition, offset + 1);
        _manager.Update(Key.Stream, Key.Partition, done);
    }

    /// <summary>Records that the item at <paramref name="offset"/> is done (processed or dead-lettered), in any order.</summary>
    /// <param name="offset">The item's offset.</param>
    /// <exception cref="InvalidOperationException">The item was not started, or was already completed.</exception>
    public void Complete(long offset)
    {
        long done;
        lock (_lock)
        {
            if (!_running.Remove(offset))
            {
                throw new InvalidOperationException($"Item {offset} of {Key.Stream}/{Key.Partition} is not running: it was never started or is already complete.");
            }

            while (_started.Count > 0 && !_running.Contains(_started.Peek()))
            {
                _started.Dequeue();
            }

            done = DoneUpTo_NeedsLock();
        }

        _manager.Update(Key.Stream, Key.Partition, done);
    }

    private long DoneUpTo_NeedsLock() => _started.Count > 0 ? _started.Peek() : _nextStart;
}
