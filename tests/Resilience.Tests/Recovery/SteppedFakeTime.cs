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

    /// <summary>Advances to the next armed timer, then waits until the work it released armed another timer or <paramref name="done"/> completed.</summary>
    public async Task RunUntilAsync(Task done, int maxTimers = 1_000)
    {
        for (var i = 0; i < maxTimers && !done.IsCompleted; i++)
        {
            long generation;
            DateTimeOffset? next;
            lock (_lock)
            {
                generation = _generation;
                next = _due.Count == 0 ? null : _due.Values.Min();
            }

            if (next is null)
            {
                break;
            }

            Fake.SetUtcNow(next.Value > Fake.GetUtcNow() ? next.Value : Fake.GetUtcNow());
            for (var spin = 0; spin < 1_000_000 && !done.IsCompleted && Interlocked.Read(ref _generation) == generation; spin++)
            {
                await Task.Run(static () => { });
            }
        }

        done.IsCompleted.Should().BeTrue("the work should end once its timers fired");
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
