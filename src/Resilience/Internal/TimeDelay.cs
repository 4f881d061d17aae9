namespace Resilience.Internal;

/// <summary>
/// Waits for a delay measured by the pipeline's <see cref="TimeProvider"/>. An asynchronous execution awaits a
/// timer; a synchronous one (<see cref="ResilienceContext.IsSynchronous"/>) waits on the calling thread without
/// blocking on a task, so a <c>FakeTimeProvider</c> advanced from another thread releases it.
/// </summary>
internal static class TimeDelay
{
    /// <summary>
    /// Waits for <paramref name="delay"/>; completes with an <see cref="OperationCanceledException"/> as soon as
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static ValueTask WaitAsync(TimeSpan delay, TimeProvider timeProvider, bool synchronous, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return default;
        }

        if (!synchronous)
        {
            return new ValueTask(Task.Delay(delay, timeProvider, cancellationToken));
        }

        WaitSynchronously(delay, timeProvider, cancellationToken);
        return default;
    }

    private static void WaitSynchronously(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var signal = new ManualResetEventSlim(initialState: false);
        using (var timer = timeProvider.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), signal, delay, System.Threading.Timeout.InfiniteTimeSpan))
        {
            // Wait(CancellationToken) throws OperationCanceledException the moment the token is cancelled.
            signal.Wait(cancellationToken);
        }
    }
}
