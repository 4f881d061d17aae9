using Resilience.Telemetry;

namespace Resilience.Internal;

/// <summary>
/// Raises a user event callback (<c>OnRetry</c>, <c>OnTimeout</c>, ...). An exception thrown by the callback is
/// reported to telemetry and never replaces the outcome of the caller's work.
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

        ValueTask pending;
#pragma warning disable CA1031 // A failing event handler must not change what the caller gets; telemetry records it.
        try
        {
            pending = callback(args);
        }
        catch (Exception ex)
        {
            telemetry.ReportCallbackFailure(eventName, ex);
            return default;
        }
#pragma warning restore CA1031

        return pending.IsCompletedSuccessfully ? default : AwaitAsync(pending, telemetry, eventName);
    }

    /// <summary>
    /// Raises the event, then yields <paramref name="outcome"/>: synchronously when the callback completed synchronously.
    /// </summary>
    public static ValueTask<Outcome<T>> RaiseThenReturn<TArgs, T>(Func<TArgs, ValueTask>? callback, TArgs args, ResilienceTelemetry telemetry, string eventName, Outcome<T> outcome)
    {
        var raised = RaiseAsync(callback, args, telemetry, eventName);
        return raised.IsCompletedSuccessfully ? new ValueTask<Outcome<T>>(outcome) : AwaitThenReturnAsync(raised, outcome);
    }

    private static async ValueTask<Outcome<T>> AwaitThenReturnAsync<T>(ValueTask raised, Outcome<T> outcome)
    {
        await raised.ConfigureAwait(false);
        return outcome;
    }

    private static async ValueTask AwaitAsync(ValueTask pending, ResilienceTelemetry telemetry, string eventName)
    {
#pragma warning disable CA1031 // See RaiseAsync.
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            telemetry.ReportCallbackFailure(eventName, ex);
        }
#pragma warning restore CA1031
    }
}
