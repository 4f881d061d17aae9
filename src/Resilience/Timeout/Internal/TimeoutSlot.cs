namespace Resilience.Timeout.Internal;

/// <summary>
/// A reusable cancellation source with a lazily re-armed timer. Arming records a deadline; the timer is moved only
/// when it would fire too late for that deadline. When it fires early (it was set for an earlier call), it re-arms
/// itself for the rest; when it fires for a call that already ended, it does nothing. So a steady stream of calls
/// that finish in time touches the timer about once per timeout period instead of twice per call.
/// </summary>
/// <remarks>
/// Deadline states: a positive value is armed, 0 is idle, -1 is firing (the timer thread owns cancelling). Arming and
/// the timer callback each publish their write (deadline, timer due time) with a full fence before reading the
/// other's, so at least one of them always sees that the timer must be set.
/// </remarks>
internal sealed class TimeoutSlot
{
    private const long Idle = 0;
    private const long Firing = -1;

    private readonly TimeoutSlotPool _pool;
    private readonly ITimer _timer;
    private long _deadline;
    private long _timerDue = long.MaxValue;

    public TimeoutSlot(TimeoutSlotPool pool)
    {
        _pool = pool;
        _timer = pool.TimeProvider.CreateTimer(static s => ((TimeoutSlot)s!).OnTimer(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public CancellationTokenSource Source { get; } = new();

    public void Arm(TimeSpan timeout)
    {
        var now = _pool.Now();
        var deadline = now + timeout.Ticks + _pool.SlackTicks;
        Interlocked.Exchange(ref _deadline, deadline);
        if (Volatile.Read(ref _timerDue) > deadline)
        {
            SetTimer(deadline, now);
        }
    }

    /// <summary>Ends the current use; returns whether the slot can be used again (its source was not cancelled).</summary>
    public bool Disarm()
    {
        var previous = Interlocked.Exchange(ref _deadline, Idle);
        return previous != Firing && !Source.IsCancellationRequested && Source.TryReset();
    }

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
                Source.Cancel();
                return;
            }
        }
    }

    private void SetTimer(long due, long now)
    {
        Volatile.Write(ref _timerDue, due);
        _timer.Change(TimeSpan.FromTicks(Math.Max(0, due - now)), System.Threading.Timeout.InfiniteTimeSpan);
    }
}
