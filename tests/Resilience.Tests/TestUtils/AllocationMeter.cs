namespace Resilience.Tests.TestUtils;

/// <summary>
/// Counts the bytes the current thread allocates while running an action many times, after a warm-up.
/// Allocation counts are deterministic for code that completes synchronously on one thread.
/// </summary>
internal static class AllocationMeter
{
    public static long BytesPerRun(Action action, int runs = 200)
    {
        for (var i = 0; i < 50; i++)
        {
            action();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / runs;
    }

    /// <summary>Returns the result of a task that must already be complete (the allocation tests rely on it).</summary>
    public static T Completed<T>(ValueTask<T> pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The pipeline went asynchronous on a path that must complete synchronously.");
        }

        return pending.Result;
    }
}
