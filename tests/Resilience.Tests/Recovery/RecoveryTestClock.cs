using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Recovery;

/// <summary>Drives a <see cref="FakeTimeProvider"/> until a task completes (continuations may hop threads).</summary>
internal static class RecoveryTestClock
{
    public static async Task AdvanceUntilDoneAsync(this FakeTimeProvider time, Task pending, TimeSpan? step = null)
    {
        for (var i = 0; i < 10_000 && !pending.IsCompleted; i++)
        {
            time.Advance(step ?? TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        pending.IsCompleted.Should().BeTrue("the run should end once time moves on");
    }

    /// <summary>Yields until <paramref name="condition"/> holds (work continuing on the thread pool), failing after a bound.</summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100_000 && !condition(); i++)
        {
            await Task.Yield();
        }

        condition().Should().BeTrue();
    }
}
