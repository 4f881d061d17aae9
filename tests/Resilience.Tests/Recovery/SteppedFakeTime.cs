using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Recovery;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows its armed timers, so a test can advance to the next one and then wait
/// until the work it released has armed the next (or finished) before advancing again. Fake delays complete their
/// tasks asynchronously, so that work continues on the thread pool; advancing while it runs races with it.
/// </summary>
internal sealed class SteppedFakeTime : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Timer, DateTimeOffset> _due = [];
    private long _generation;

    public FakeTimeProvider Fake { get; } = new();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this);
        timer.Inner = Fake.CreateTimer(
            static s =>
            {
                var (owner, timer, callback, state) = ((SteppedFakeTime, Timer, TimerCallback, object?))s!;
                owner.Fired(timer);
                callback(state);
            },
            (this, timer, callback, state),
            global::System.Threading.Timeout.InfiniteTimeSpan,
            global::System.Threading.Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Advances to the next armed timer, waits until the work it released armed another timer or <paramref name="done"/>
    /// completed, and so on. When no timer is armed it waits for the work to end or arm one (it may still be running).
    /// </summary>
    public async Task RunUntilAsync(Task done, int maxTimers = 1_000)
    {
        for (var i = 0; i < maxTimers && !done.IsCompleted; i++)
        {
            await SpinUntilAsync(() => done.IsCompleted || ArmedCount() > 0);
            if (done.IsCompleted)
            {
                break;
            }

            long generation;
            DateTimeOffset next;
            lock (_lock)
            {
                if (_due.Count == 0)
                {
                    // Disarmed meanwhile by the work still running: look again.
                    continue;
                }

                generation = _generation;
                next = _due.Values.Min();
            }

            Fake.SetUtcNow(next > Fake.GetUtcNow() ? next : Fake.GetUtcNow());
            await SpinUntilAsync(() => done.IsCompleted || Interlocked.Read(ref _generation) != generation);
        }

        done.IsCompleted.Should().BeTrue("the work should end once its timers fired");
    }

    // Thread-pool round trips, each queued after the work being waited for: no real delay.
    private static async Task SpinUntilAsync(Func<bool> condition)
    {
        for (var spin = 0; spin < 100_000 && !condition(); spin++)
        {
            await Task.Run(static () => { });
        }
    }

    private int ArmedCount()
    {
        lock (_lock)
        {
            return _due.Count;
        }
    }

    private void Fired(Timer timer)
    {
        lock (_lock)
        {
            _due.Remove(timer);
        }
    }

    private sealed class Timer(SteppedFakeTime owner) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (dueTime == global::System.Threading.Timeout.InfiniteTimeSpan)
                {
                    owner._due.Remove(this);
                }
                else
                {
                    owner._due[this] = owner.Fake.GetUtcNow() + dueTime;
                    owner._generation++;
                }
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._due.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
