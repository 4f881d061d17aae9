namespace Resilience.Bulkhead.Internal;

/// <summary>
/// A concurrency limit with a FIFO queue and a queue timeout. Taking and returning a free slot is lock-free when no
/// one is queued; the queue (and its lock) is used only under contention.
/// </summary>
/// <remarks>
/// <c>System.Threading.RateLimiting.ConcurrencyLimiter</c> has no queue timeout (a linked token per queued wait
/// would be the caller's job), and its queued path allocates a registration and a lease per call; this limiter keeps
/// the uncontended path at one compare-and-swap to enter and one interlocked decrement to leave, allocation-free.
/// Lost wake-ups are prevented by ordering: a waiter announces itself (<c>_queued</c>) before it checks for a slot,
/// and a releaser frees its slot before it checks for waiters; both with full fences.
/// </remarks>
internal sealed class BulkheadLimiter
{
    private readonly Lock _lock = new();
    private readonly LinkedList<BulkheadWaiter> _queue = new();
    private readonly TimeProvider _time;
    private readonly long _queueTimeoutTimestamps;
    private ITimer? _queueTimer;
    private bool _queueTimerArmed;
    private int _inUse;
    private int _queued;

    public BulkheadLimiter(string? name, int maxConcurrency, int maxQueueLength, TimeSpan queueTimeout, TimeProvider time)
    {
        Name = name;
        MaxConcurrency = maxConcurrency;
        MaxQueueLength = maxQueueLength;
        QueueTimeout = queueTimeout;
        _time = time;
        _queueTimeoutTimestamps = queueTimeout == System.Threading.Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : (long)Math.Ceiling(queueTimeout.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
        var named = name is null ? "The bulkhead" : $"The bulkhead '{name}'";
        QueueFullMessage = $"{named} has all {maxConcurrency} slots busy and {(maxQueueLength == 0 ? "no queue" : $"its queue of {maxQueueLength} full")}; the call was not attempted.";
        QueueTimeoutMessage = $"{named} gave the call no slot within the queue timeout of {queueTimeout}; the call was not attempted.";
    }

    public string? Name { get; }

    public int MaxConcurrency { get; }

    public int MaxQueueLength { get; }

    public TimeSpan QueueTimeout { get; }

    public string QueueFullMessage { get; }

    public string QueueTimeoutMessage { get; }

    public int InUse => Volatile.Read(ref _inUse);

    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool TryAcquireFast()
    {
        // Only when nobody waits, so a newcomer never overtakes the queue.
        return Volatile.Read(ref _queued) == 0 && TryIncrementInUse();
    }

    /// <summary>
    /// Takes a free slot, or queues the caller; returns <see langword="null"/> and the outcome in <paramref name="state"/>
    /// when it did not queue (<see cref="BulkheadWaiter.Granted"/>, or rejected with <see cref="BulkheadWaiter.QueueFull"/>),
    /// else the waiter and <see cref="BulkheadWaiter.Waiting"/>.
    /// </summary>
    public BulkheadWaiter? AcquireOrEnqueue(bool synchronous, CancellationToken cancellationToken, out int state)
    {
        BulkheadWaiter waiter;
        lock (_lock)
        {
            Interlocked.Increment(ref _queued);
            if (TryIncrementInUse())
            {
                Interlocked.Decrement(ref _queued);
                state = BulkheadWaiter.Granted;
                return null;
            }

            if (_queue.Count >= MaxQueueLength)
            {
                Interlocked.Decrement(ref _queued);
                state = BulkheadWaiter.QueueFull;
                return null;
            }

            waiter = new BulkheadWaiter(synchronous);
            if (_queueTimeoutTimestamps != long.MaxValue)
            {
                waiter.Deadline = _time.GetTimestamp() + _queueTimeoutTimestamps;
                if (!_queueTimerArmed)
                {
                    // Armed before anything is marked or queued: if the timer refused the due time, the limiter
                    // would be left as it was (the options bound the queue timeout, so it does not).
                    try
                    {
                        _queueTimer ??= _time.CreateTimer(static s => ((BulkheadLimiter)s!).ExpireWaiters(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
                        _queueTimer.Change(QueueTimeout, System.Threading.Timeout.InfiniteTimeSpan);
                    }
                    catch
                    {
                        Interlocked.Decrement(ref _queued);
                        throw;
                    }

                    _queueTimerArmed = true;
                }
            }

            waiter.Node = _queue.AddLast(waiter);
        }

        state = BulkheadWaiter.Waiting;
        waiter.Arm(this, cancellationToken);
        return waiter;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _inUse);
        if (Volatile.Read(ref _queued) != 0)
        {
            Drain();
        }
    }

    /// <summary>Removes a waiter that timed out or was cancelled, if it is still queued.</summary>
    public void Abandon(BulkheadWaiter waiter, int state)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            _queue.Remove(waiter.Node);
            Interlocked.Decrement(ref _queued);
        }

        waiter.Complete(state);
    }

    /// <summary>
    /// The queue timeout, for every waiter, from one timer. Every waiter gets the same timeout and joins at the tail,
    /// so deadlines rise from head to tail: the timer only ever needs the head's. It is armed when a waiter joins an
    /// unwatched queue and, when it fires, times out the expired heads and re-arms for the next one. A head that left
    /// early (granted or cancelled) just makes the timer fire early once. Per-waiter timers cost a timer-queue lock
    /// round trip to create and another to dispose, which under contention was most of a queued call's price.
    /// </summary>
    private void ExpireWaiters()
    {
        var expired = default(DequeuedWaiters);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            while (_queue.First is { } first && first.Value.Deadline <= now)
            {
                DequeueHead(ref expired);
            }

            if (_queue.First is { } head)
            {
                // Whole milliseconds, rounded up: system timers truncate to milliseconds, and a sub-millisecond rest
                // would fire at once, find the head not yet due, and spin.
                var remainingMs = Math.Ceiling((head.Value.Deadline - now) * 1000.0 / _time.TimestampFrequency);
                _queueTimer!.Change(TimeSpan.FromMilliseconds(remainingMs), System.Threading.Timeout.InfiniteTimeSpan);
            }
            else
            {
                _queueTimerArmed = false;
            }
        }

        expired.CompleteAll(BulkheadWaiter.TimedOut);
    }

    private void Drain()
    {
        var granted = default(DequeuedWaiters);
        lock (_lock)
        {
            while (_queue.First is not null && TryIncrementInUse())
            {
                DequeueHead(ref granted);
            }
        }

        granted.CompleteAll(BulkheadWaiter.Granted);
    }

    // Under the lock: whoever removes a waiter from the queue owns its completion.
    private void DequeueHead(ref DequeuedWaiters dequeued)
    {
        var waiter = _queue.First!.Value;
        _queue.RemoveFirst();
        Interlocked.Decrement(ref _queued);
        dequeued.Add(waiter);
    }

    /// <summary>
    /// Waiters taken off the queue under the lock, completed after it is released (continuations run asynchronously
    /// anyway, and a woken caller's registration is disposed on its side). Usually one, so no list until a second.
    /// </summary>
    private struct DequeuedWaiters
    {
        private BulkheadWaiter? _first;
        private List<BulkheadWaiter>? _more;

        public void Add(BulkheadWaiter waiter)
        {
            if (_first is null)
            {
                _first = waiter;
            }
            else
            {
                (_more ??= []).Add(waiter);
            }
        }

        public readonly void CompleteAll(int state)
        {
            _first?.Complete(state);
            if (_more is not null)
            {
                foreach (var waiter in _more)
                {
                    waiter.Complete(state);
                }
            }
        }
    }

    private bool TryIncrementInUse()
    {
        var current = Volatile.Read(ref _inUse);
        while (current < MaxConcurrency)
        {
            var seen = Interlocked.CompareExchange(ref _inUse, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }
}
