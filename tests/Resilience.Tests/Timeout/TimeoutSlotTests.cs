using Microsoft.Extensions.Time.Testing;
using Resilience.Timeout.Internal;

namespace Resilience.Tests.Timeout;

/// <summary>
/// Issue 16, Major 3: the pooled timeout slot's timer never fires later than the live deadline, and a token handed
/// to a call is never cancelled by a later call's timeout.
/// </summary>
public class TimeoutSlotTests
{
    [Fact]
    public void Arm_WhileTheTimerCallbackIsMovingTheTimer_EarlierDeadlineIsNotOverwritten()
    {
        var time = new HookedTimeProvider();
        var pool = new TimeoutSlotPool(time);

        // A 20 s call holds the slot when its left-over 10 s timer fires; the callback moves the timer to 20 s...
        pool.Return(pool.Rent(TimeSpan.FromSeconds(10)));
        var slow = pool.Rent(TimeSpan.FromSeconds(20));
        TimeoutSlot? fast = null;
        time.OnNextChange = () =>
        {
            // ...and just then the 20 s call ends and a 50 ms call arms the same slot (another thread, in production).
            pool.Return(slow);
            fast = pool.Rent(TimeSpan.FromMilliseconds(50));
        };

        time.Advance(TimeSpan.FromSeconds(10));
        fast.Should().BeSameAs(slow, "the test needs the slot to be reused");
        time.Advance(TimeSpan.FromMilliseconds(50));

        fast!.Source.IsCancellationRequested.Should().BeTrue("the 50 ms timeout fires at 10.05 s, not when the 20 s timer would");
    }

    [Fact]
    public async Task Token_OutlivingItsCall_IsNotCancelledByTheNextCallsTimeout()
    {
        var time = new FakeTimeProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(TimeSpan.FromSeconds(1)).Build();
        var kept = CancellationToken.None;
        await pipeline.ExecuteAsync(ct =>
        {
            kept = ct;
            return new ValueTask<int>(1);
        });

        var second = pipeline.ExecuteAsync(static async ct =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            return 2;
        }).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await second.Invoking(s => s).Should().ThrowAsync<Resilience.Timeout.TimeoutRejectedException>();

        kept.IsCancellationRequested.Should().BeFalse("the first call's token belongs to the first call only");
    }

    /// <summary>A fake clock whose timers run a hook inside the next <see cref="ITimer.Change"/>, before it takes effect.</summary>
    private sealed class HookedTimeProvider : FakeTimeProvider
    {
        public Action? OnNextChange { get; set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new HookedTimer(this, base.CreateTimer(callback, state, dueTime, period));

        private sealed class HookedTimer(HookedTimeProvider owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (owner.OnNextChange is { } hook)
                {
                    owner.OnNextChange = null;
                    hook();
                }

                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
