namespace Resilience.CircuitBreaker.Internal;

/// <summary>
/// Counts calls, failures and slow calls over a window, lock-free on the recording path. A fresh instance replaces
/// the old one when the breaker closes, so no reset races with recording.
/// </summary>
internal abstract class HealthMetrics
{
    public abstract void Record(bool failure, bool slow, long timestamp);

    public abstract HealthSnapshot Snapshot(long timestamp);
}

internal readonly record struct HealthSnapshot(long Calls, long Failures, long Slow);

/// <summary>
/// The last N calls, one slot each: a ticket picks the slot and the old slot's counts are subtracted as the new
/// ones are added, so recording is O(1) and a snapshot is O(1).
/// </summary>
internal sealed class CountWindowMetrics : HealthMetrics
{
    private const int Recorded = 1;
    private const int Failed = 2;
    private const int Slow = 4;

    private readonly int[] _slots;
    private long _ticket;
    private int _calls;
    private int _failures;
    private int _slow;

    public CountWindowMetrics(int size) => _slots = new int[size];

    public override void Record(bool failure, bool slow, long timestamp)
    {
        var index = (int)((ulong)(Interlocked.Increment(ref _ticket) - 1) % (ulong)_slots.Length);
        var code = Recorded | (failure ? Failed : 0) | (slow ? Slow : 0);
        var old = Interlocked.Exchange(ref _slots[index], code);

        // Successes replacing successes (the steady state) touch nothing else.
        if (old == 0)
        {
            Interlocked.Increment(ref _calls);
        }

        if ((code & Failed) != (old & Failed))
        {
            Interlocked.Add(ref _failures, failure ? 1 : -1);
        }

        if ((code & Slow) != (old & Slow))
        {
            Interlocked.Add(ref _slow, slow ? 1 : -1);
        }
    }

    public override HealthSnapshot Snapshot(long timestamp) => new(Volatile.Read(ref _calls), Volatile.Read(ref _failures), Volatile.Read(ref _slow));
}

/// <summary>
/// The calls of the last sampling duration, in buckets: a call increments its bucket; a bucket is cleared when time
/// moves into it again (a lock taken once per bucket period, never per call).
/// </summary>
internal sealed class TimeWindowMetrics : HealthMetrics
{
    private readonly Bucket[] _buckets;
    private readonly long _bucketTicks;
    private Bucket? _current;

    public TimeWindowMetrics(TimeSpan samplingDuration, int bucketCount, long timestampFrequency)
    {
        _buckets = new Bucket[bucketCount];
        for (var i = 0; i < bucketCount; i++)
        {
            _buckets[i] = new Bucket();
        }

        _bucketTicks = Math.Max(1, (long)(samplingDuration.TotalSeconds * timestampFrequency / bucketCount));
    }

    public override void Record(bool failure, bool slow, long timestamp)
    {
        // The bucket of the last rollover serves every call until time leaves it: one multiplication decides, instead
        // of the division and remainder that find a bucket (the most a steady success path paid here). A bucket
        // reused for a later period meanwhile fails the check (its start moved past the timestamp), as it fails the
        // epoch comparison on the slow path.
        var bucket = Volatile.Read(ref _current);
        if (bucket is null || (ulong)(timestamp - (Volatile.Read(ref bucket.Epoch) * _bucketTicks)) >= (ulong)_bucketTicks)
        {
            bucket = Enter(timestamp);
        }

        Interlocked.Increment(ref bucket.Calls);
        if (failure)
        {
            Interlocked.Increment(ref bucket.Failures);
        }

        if (slow)
        {
            Interlocked.Increment(ref bucket.Slow);
        }
    }

    private Bucket Enter(long timestamp)
    {
        var epoch = timestamp / _bucketTicks;
        var bucket = _buckets[(int)(epoch % _buckets.Length)];
        if (Volatile.Read(ref bucket.Epoch) != epoch)
        {
            lock (bucket)
            {
                if (bucket.Epoch != epoch)
                {
                    bucket.Calls = 0;
                    bucket.Failures = 0;
                    bucket.Slow = 0;
                    Volatile.Write(ref bucket.Epoch, epoch);
                }
            }
        }

        // Only forward: a caller whose clock read is older (it read the clock before another's rollover) does not
        // take the current bucket back. A race between two rollovers leaves one of them, which the check then vets.
        if (Volatile.Read(ref _current) is not { } current || Volatile.Read(ref current.Epoch) < epoch)
        {
            Volatile.Write(ref _current, bucket);
        }

        return bucket;
    }

    public override HealthSnapshot Snapshot(long timestamp)
    {
        var epoch = timestamp / _bucketTicks;
        long calls = 0;
        long failures = 0;
        long slow = 0;
        foreach (var bucket in _buckets)
        {
            var bucketEpoch = Volatile.Read(ref bucket.Epoch);
            if (bucketEpoch > epoch - _buckets.Length && bucketEpoch <= epoch)
            {
                calls += Volatile.Read(ref bucket.Calls);
                failures += Volatile.Read(ref bucket.Failures);
                slow += Volatile.Read(ref bucket.Slow);
            }
        }

        return new HealthSnapshot(calls, failures, slow);
    }

    private sealed class Bucket
    {
#pragma warning disable SA1401, CA1051 // Fields, not properties: they are updated with Interlocked and Volatile.
        public long Epoch = long.MinValue;
        public int Calls;
        public int Failures;
        public int Slow;
#pragma warning restore SA1401, CA1051
    }
}
