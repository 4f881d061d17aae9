namespace Resilience.Timeout.Internal;

/// <summary>
/// A reusable timer with a lazily re-armed due time, and a fresh cancellation source per use. Arming records a
/// deadline; the timer is moved only when it would fire too late for that deadline. When it fires early (it was set
/// for an earlier call), it re-arms itself for the rest; when it fires for a call that already ended, it does
/// nothing. So a steady stream of calls that finish in time touches the timer about once per timeout period instead
/// of twice per call.
/// </summary>
/// <remarks>
/// <para>
/// Deadline states: a positive value is armed, 0 is idle, -1 is firing (the timer thread owns cancelling). Arming and
/// the timer callback each publish their write (deadline, timer due time) with a full fence before reading the
/// other's, so at least one of them always sees that the timer must be set; and whoever moves the timer re-reads the
/// deadline afterwards, so a concurrent arm with an earlier deadline whose move landed first is not overwritten.
/// </para>
/// <para>
/// The source is not reused: a token handed to one call may outlive it (a fire-and-forget continuation), and a reset
/// source would let the next call's timeout cancel it. The timer, the costly part, is what the pool saves.
/// </para>
/// </remarks>
internal sealed class TimeoutSlot
{
    private const long Idle = 0;
    private const long Firing = -1;

    private readonly TimeoutSlotPool _pool;
    private readonly ITimer _timer;
    private CancellationTokenSource _source = null!;

    // The source of a timeout nested directly inside this use (the per-attempt timeout inside a total timeout), which
    // this slot's cancellation must reach; linked here instead of by a registration on this use's token.
    private CancellationTokenSource? _child;
    private long _deadline;
    private long _timerDue = long.MaxValue;

    public TimeoutSlot(TimeoutSlotPool pool)
    {
        _pool = pool;
        _timer = pool.TimeProvider.CreateTimer(static s => ((TimeoutSlot)s!).OnTimer(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the source of the current use; valid from <see cref="Arm"/> until the slot is returned.</summary>
    public CancellationTokenSource Source => Volatile.Read(ref _source);

    /// <summary>Gets the pool the slot belongs to (its timer runs on that pool's provider).</summary>
    public TimeoutSlotPool Pool => _pool;

    /// <summary>Gets a value indicating whether the slot is in use (armed or firing), for leak checks.</summary>
    public bool InUse => Volatile.Read(ref _deadline) != Idle;

    public void Arm(TimeSpan timeout)
    {
        // Published before the deadline (Interlocked.Exchange is a full fence), so the timer cancels this use's source.
        Volatile.Write(ref _child, null);
        Volatile.Write(ref _source, new CancellationTokenSource());
        var now = _pool.Now();
        var deadline = now + timeout.Ticks + _pool.SlackTicks;
        Interlocked.Exchange(ref _deadline, deadline);
        if (Volatile.Read(ref _timerDue) > deadline)
        {
            SetTimer(deadline, now);
        }
    }

    /// <summary>Ends the current use; returns whether the slot can be used again (its timer is not cancelling it).</summary>
    /// <summary>
    /// Links the source of a timeout nested in this use, so this use's cancellation (its deadline or its caller's)
    /// reaches it; <see langword="false"/> when another nested source is linked already (the caller then registers).
    /// </summary>
    /// <param name="child">The nested timeout's source.</param>
    /// <returns>Whether the source was linked.</returns>
    public bool TryLinkChild(CancellationTokenSource child)
    {
        if (Interlocked.CompareExchange(ref _child, child, null) is not null)
        {
            return false;
        }

        // Cancel reads the link after cancelling the source, this reads the source after publishing the link (both
        // behind full fences), so a cancellation racing the link reaches the child one way or the other.
        if (Source.IsCancellationRequested)
        {
            child.Cancel();
        }

        return true;
    }

    /// <summary>Removes the link made by <see cref="TryLinkChild"/>, if it is still that source's.</summary>
    /// <param name="child">The nested timeout's source.</param>
    public void UnlinkChild(CancellationTokenSource child) => Interlocked.CompareExchange(ref _child, null, child);

    /// <summary>Cancels this use's source, then the nested one linked to it.</summary>
    public void Cancel()
    {
        Source.Cancel();
        Volatile.Read(ref _child)?.Cancel();
    }

    public bool Disarm() => Interlocked.Exchange(ref _deadline, Idle) != Firing;

    /// <summary>Releases the timer of a slot that leaves the pool. The source is not disposed: a timer callback may still be cancelling it.</summary>
    public void Discard() => _timer.Dispose();

    private void OnTimer()
    {
        Interlocked.Exchange(ref _timerDue, long.MaxValue);
        var now = _pool.Now();
        while (true)
        {
            var deadline = Volatile.Read(ref _deadline);
            if (deadline <= Idle)
            {
                return;
            }

            if (now < deadline)
            {
                SetTimer(deadline, now);
                return;
            }

            if (Interlocked.CompareExchange(ref _deadline, Firing, deadline) == deadline)
            {
                Cancel();
                return;
            }
        }
    }

    private void SetTimer(long due, long now)
    {
        while (true)
        {
            Interlocked.Exchange(ref _timerDue, due);
            _timer.Change(TimeSpan.FromTicks(Math.Max(0, due - now)), System.Threading.Timeout.InfiniteTimeSpan);

            // An arm that saw our due time before we moved the timer may have moved it to an earlier deadline first,
            // and our move just overwrote it: set it again for the deadline that is live now.
            var deadline = Volatile.Read(ref _deadline);
            if (deadline <= Idle || deadline >= due)
            {
                return;
            }

            due = deadline;
            now = _pool.Now();
        }
    }
}
