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

    // A few slots per thread serve the common case (rent and return on one thread) without interlocked work. More
    // than one, because a pipeline commonly nests two timeouts (total and per attempt), each with its own pool: with
    // a single cached slot the two pools kept taking it from each other and fell back to the shared queue twice per
    // call. Each cached slot knows its pool, since a slot's timer runs on that pool's provider.
    private const int ThreadCacheSize = 4;

    [ThreadStatic]
    private static TimeoutSlot?[]? t_slots;

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
        var slot = TakeFromThread();
        if (slot is null && !_slots.TryDequeue(out slot))
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

        if (!KeepOnThread(slot))
        {
            _slots.Enqueue(slot);
        }
    }

    private TimeoutSlot? TakeFromThread()
    {
        var cached = t_slots;
        if (cached is null)
        {
            return null;
        }

        for (var i = 0; i < cached.Length; i++)
        {
            var slot = cached[i];
            if (slot is not null && ReferenceEquals(slot.Pool, this))
            {
                cached[i] = null;
                return slot;
            }
        }

        return null;
    }

    private static bool KeepOnThread(TimeoutSlot slot)
    {
        var cached = t_slots ??= new TimeoutSlot?[ThreadCacheSize];
        for (var i = 0; i < cached.Length; i++)
        {
            if (cached[i] is null)
            {
                cached[i] = slot;
                return true;
            }
        }

        return false;
    }
}
