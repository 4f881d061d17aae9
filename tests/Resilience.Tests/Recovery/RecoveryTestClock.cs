namespace Resilience.Tests.Recovery;

/// <summary>Waits for work continuing on the thread pool (fake delays complete their tasks asynchronously).</summary>
internal static class RecoveryTestClock
{
    /// <summary>
    /// Waits until <paramref name="condition"/> holds, failing after a bound. Each round trip is a thread-pool work item
    /// queued after the work being waited for, not a real delay.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100_000 && !condition(); i++)
        {
            await Task.Run(static () => { });
        }

        condition().Should().BeTrue();
    }
}
