using System.Collections.Concurrent;

namespace Resilience.Timeout.Internal;

/// <summary>
/// Reuses <see cref="TimeoutSlot"/>s so a timed call that completes in time allocates nothing, and measures time for
/// them: for <see cref="TimeProvider.System"/> with <see cref="Environment.TickCount64"/> (about 5 ns, millisecond
/// resolution) rather than the high-resolution timestamp (about 23 ns on some virtual machines); for any other
/// provider with its own timestamps, exactly, so a <c>FakeTimeProvider</c> fires timeouts to the tick.
/// </summary>
internal sealed class TimeoutSlotPool
{
    // The coarse clock can lag by one kernel tick (1-4 ms); the slack makes the timeout never fire early.
    private static readonly long SystemSlackTicks = TimeSpan.FromMilliseconds(4).Ticks;

    // One slot per thread serves the common case (rent and return on one thread) without interlocked work; it
    // remembers the pool it belongs to, since a slot's timer runs on that pool's provider.
    [ThreadStatic]
    private static TimeoutSlot? t_slot;

    [ThreadStatic]
    private static TimeoutSlotPool? t_slotPool;

    private readonly ConcurrentQueue<TimeoutSlot> _slots = new();

    // Every slot alive (pooled or in use), for leak checks; touched only when a slot is created or discarded.
    private readonly Lock _allLock = new();
    private readonly List<TimeoutSlot> _all = [];
    private readonly bool _system;
    private readonly long _origin;

    public TimeoutSlotPool(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        _system = ReferenceEquals(timeProvider, TimeProvider.System);
        _origin = _system ? 0 : timeProvider.GetTimestamp();
        SlackTicks = _system ? SystemSlackTicks : 0;
    }

    public TimeProvider TimeProvider { get; }

    public long SlackTicks { get; }

    /// <summary>Gets how many slots are rented and not returned.</summary>
    public int SlotsInUse
    {
        get
        {
            lock (_allLock)
            {
                return _all.Count(static s => s.InUse);
            }
        }
    }

    public long Now() => _system
        ? Environment.TickCount64 * TimeSpan.TicksPerMillisecond
        : TimeProvider.GetElapsedTime(_origin).Ticks;

    public TimeoutSlot Rent(TimeSpan timeout)
    {
        var slot = t_slot;
        if (slot is not null && ReferenceEquals(t_slotPool, this))
        {
            t_slot = null;
        }
        else if (!_slots.TryDequeue(out slot))
        {
            slot = new TimeoutSlot(this);
            lock (_allLock)
            {
                _all.Add(slot);
            }
        }

        slot.Arm(timeout);
        return slot;
    }

    public void Return(TimeoutSlot slot)
    {
        if (!slot.Disarm())
        {
            slot.Discard();
            lock (_allLock)
            {
                _all.Remove(slot);
            }

            return;
        }

        if (t_slot is null)
        {
            t_slot = slot;
            t_slotPool = this;
        }
        else
        {
            _slots.Enqueue(slot);
        }
    }
}
