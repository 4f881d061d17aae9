using Resilience.Bulkhead.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Bulkhead;

/// <summary>
/// Runs a call only when it holds one of the bulkhead's slots; queues it (FIFO, with a timeout) or rejects it otherwise.
/// </summary>
internal sealed class BulkheadStrategy : ResilienceStrategy
{
    private readonly BulkheadLimiter _limiter;
    private readonly Func<OnBulkheadRejectedArguments, ValueTask>? _onRejected;
    private readonly ResilienceTelemetry _telemetry;

    public BulkheadStrategy(BulkheadLimiter limiter, Func<OnBulkheadRejectedArguments, ValueTask>? onRejected, ResilienceTelemetry telemetry)
    {
        _limiter = limiter;
        _onRejected = onRejected;
        _telemetry = telemetry;

        // Reported on the gauges of this pipeline's meter (a shared bulkhead, on those of every pipeline using it).
        telemetry.Observe(BulkheadConstants.InUseGauge, limiter);
        telemetry.Observe(BulkheadConstants.QueuedGauge, limiter);
    }

    /// <summary>Gets the limiter (tests check no slot leaks).</summary>
    internal BulkheadLimiter Limiter => _limiter;

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (_limiter.TryAcquireFast())
        {
            return ExecuteHoldingSlot(callback, context, state);
        }

        var waiter = _limiter.AcquireOrEnqueue(context.IsSynchronous, context.CancellationToken, out var result);
        if (waiter is null)
        {
            return result == BulkheadWaiter.Granted
                ? ExecuteHoldingSlot(callback, context, state)
                : RejectAsync<T>(context, BulkheadRejectionReason.QueueFull);
        }

        if (context.IsSynchronous)
        {
            // The synchronous path waits on an event the releaser sets: no task is blocked on, no pool thread is needed to wake it.
            return Continue(waiter.Wait(), callback, context, state);
        }

        return WaitThenExecuteAsync(waiter, callback, context, state);
    }

    private async ValueTask<Outcome<T>> WaitThenExecuteAsync<T, TState>(
        BulkheadWaiter waiter,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var result = await waiter.WaitAsync().ConfigureAwait(false);
        return await Continue(result, callback, context, state).ConfigureAwait(false);
    }

    private ValueTask<Outcome<T>> Continue<T, TState>(int result, Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state) => result switch
    {
        BulkheadWaiter.Granted => ExecuteHoldingSlot(callback, context, state),
        BulkheadWaiter.TimedOut => RejectAsync<T>(context, BulkheadRejectionReason.QueueTimeout),
        _ => Outcome.FromExceptionAsValueTask<T>(new OperationCanceledException(context.CancellationToken)),
    };

    private ValueTask<Outcome<T>> ExecuteHoldingSlot<T, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        ValueTask<Outcome<T>> pending;
#pragma warning disable CA1031 // The callback contract says it never throws; if a custom strategy does, the slot comes back and the failure is the outcome.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            _limiter.Release();
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenReleaseAsync(pending);
        }

        var outcome = pending.Result;
        _limiter.Release();
        return new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> AwaitThenReleaseAsync<T>(ValueTask<Outcome<T>> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
        finally
        {
            _limiter.Release();
        }
#pragma warning restore CA1031
    }

    private ValueTask<Outcome<T>> RejectAsync<T>(ResilienceContext context, BulkheadRejectionReason reason)
    {
        var message = reason == BulkheadRejectionReason.QueueFull ? _limiter.QueueFullMessage : _limiter.QueueTimeoutMessage;
        var rejected = Outcome.FromException<T>(new BulkheadRejectedException(message, reason) { PipelineName = _telemetry.PipelineName });
        return EventRaiser.RaiseThenReturn(_onRejected, new OnBulkheadRejectedArguments(context, reason, _limiter.Name), _telemetry, BulkheadConstants.OnRejectedEvent, rejected);
    }
}
