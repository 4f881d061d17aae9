using Resilience.Telemetry;

namespace Resilience.Internal;

/// <summary>
/// Raises a user event callback (<c>OnRetry</c>, <c>OnTimeout</c>, ...). The rule for every user callback, as in
/// Polly: an exception it throws is not swallowed. The returned task faults with it (whether the callback threw
/// synchronously or its task faulted), and the strategy, once it has released what it holds, makes it the outcome.
/// The failure is also counted on the callback-failure counter, so dashboards see handler bugs.
/// </summary>
internal static class EventRaiser
{
    public static ValueTask RaiseAsync<TArgs>(Func<TArgs, ValueTask>? callback, TArgs args, ResilienceTelemetry telemetry, string eventName)
    {
        telemetry.Report(eventName);
        if (callback is null)
        {
            return default;
        }

#pragma warning disable CA1031 // Not swallowed: the exception travels on in the returned task.
        ValueTask pending;
        try
        {
            pending = callback(args);
        }
        catch (Exception ex)
        {
            telemetry.ReportCallbackFailure(eventName, ex);
            return ValueTask.FromException(ex);
        }
#pragma warning restore CA1031

        return pending.IsCompletedSuccessfully ? default : ObserveAsync(pending, telemetry, eventName);
    }

    private static async ValueTask ObserveAsync(ValueTask pending, ResilienceTelemetry telemetry, string eventName)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            telemetry.ReportCallbackFailure(eventName, ex);
            throw;
        }
    }

    /// <summary>
    /// Raises the event, then yields <paramref name="outcome"/> (synchronously when the callback completed
    /// synchronously), or the callback's exception as the outcome when it failed.
    /// </summary>
    public static ValueTask<Outcome<T>> RaiseThenReturn<TArgs, T>(Func<TArgs, ValueTask>? callback, TArgs args, ResilienceTelemetry telemetry, string eventName, Outcome<T> outcome)
    {
        var raised = RaiseAsync(callback, args, telemetry, eventName);
        return raised.IsCompletedSuccessfully ? new ValueTask<Outcome<T>>(outcome) : AwaitThenReturnAsync(raised, outcome);
    }

    /// <summary>Waits for a raised event that did not complete at once; its failure becomes the outcome.</summary>
    public static async ValueTask<Outcome<T>> AwaitThenReturnAsync<T>(ValueTask raised, Outcome<T> outcome)
    {
#pragma warning disable CA1031 // The callback's failure is the outcome (see the class remarks).
        try
        {
            await raised.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return outcome;
    }
}
