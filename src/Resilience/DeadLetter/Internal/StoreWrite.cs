using System.Collections.Concurrent;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// One write of a dead letter store: its changes and their records, side by side, and the state its follow-up is
/// given. Pooled with the change and record objects it holds, so a write of one entry allocates none of them (and
/// no one-element arrays): only the index entry that stays in memory.
/// </summary>
/// <remarks>
/// A write is back in the pool once its changes are applied and nothing reads them anymore: for a write whose caller
/// reads no result, right after the apply on the writer (<see cref="RecycleOnApply"/>); otherwise by the caller,
/// after reading the results. A write that fails is not reused (the log may still hold its records): it is left
/// to the collector.
/// </remarks>
internal sealed class StoreWrite
{
    private const int MaxKept = 16;

    private readonly List<DeadLetterChange> _changes = [];
    private readonly List<EncodedRecord> _records = [];
    private readonly Pool? _pool;
    private int _count;

    private StoreWrite(Pool? pool) => _pool = pool;

    public int Count => _count;

    /// <summary>Gets the records, one per change, in order (what the log is given).</summary>
    public IReadOnlyList<EncodedRecord> Records => _records;

    /// <summary>Gets or sets a value indicating whether the apply returns the write to its pool (no caller reads its changes).</summary>
    public bool RecycleOnApply { get; set; }

    public static StoreWrite Rent(Pool? pool) => pool?.TryTake() ?? new StoreWrite(pool);

    public DeadLetterChange Change(int index) => _changes[index];

    /// <summary>Gets the next change to fill in, reusing one a former write left.</summary>
    public DeadLetterChange Next()
    {
        if (_count == _changes.Count)
        {
            _changes.Add(DeadLetterChange.ForReplay());
        }

        return _changes[_count++];
    }

    /// <summary>
    /// Encodes every change into its record (reusing the record objects of a former write) once all were filled in.
    /// </summary>
    public void Encode()
    {
        // The record list holds exactly one record per change: the log takes its count and sizes from it.
        while (_records.Count > _count)
        {
            _records.RemoveAt(_records.Count - 1);
        }

        for (var i = 0; i < _count; i++)
        {
            var change = _changes[i];
            var reused = i < _records.Count ? _records[i] : null;
            var record = change.Kind switch
            {
                DeadLetterChangeKind.Put => RecordCodec.EncodePut(change.Entry!, 0, change.ExpectedVersion, reused),
                DeadLetterChangeKind.State => RecordCodec.EncodeState(change.Entry!, change.ExpectedVersion, reused),
                _ => RecordCodec.EncodeDelete(change.Id, change.ExpectedVersion, reused),
            };
            if (reused is null)
            {
                _records.Add(record);
            }
        }
    }

    /// <summary>Counts the changes that applied (read by the caller after the write).</summary>
    public int AppliedCount()
    {
        var applied = 0;
        for (var i = 0; i < _count; i++)
        {
            applied += _changes[i].Applied ? 1 : 0;
        }

        return applied;
    }

    /// <summary>Forgets the caller's entries and goes back to the pool.</summary>
    public void Return()
    {
        for (var i = 0; i < _count; i++)
        {
            _changes[i].Forget();
        }

        _count = 0;
        RecycleOnApply = false;
        if (_changes.Count > MaxKept)
        {
            // A large batch does not leave its objects behind in the pool.
            _changes.RemoveRange(MaxKept, _changes.Count - MaxKept);
            _records.RemoveRange(MaxKept, Math.Max(0, _records.Count - MaxKept));
        }

        _pool?.Return(this);
    }

    /// <summary>One store's free writes: bounded, so a burst of producers does not keep its peak number for good.</summary>
    internal sealed class Pool
    {
        private const int MaxFree = 256;
        private readonly ConcurrentQueue<StoreWrite> _free = new();
        private int _count;

        public StoreWrite? TryTake()
        {
            if (_free.TryDequeue(out var write))
            {
                Interlocked.Decrement(ref _count);
                return write;
            }

            return null;
        }

        public void Return(StoreWrite write)
        {
            if (Interlocked.Increment(ref _count) <= MaxFree)
            {
                _free.Enqueue(write);
            }
            else
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
