using Resilience.CircuitBreaker.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.CircuitBreaker;

/// <summary>
/// Admits or rejects each call through its breaker's state machine and records the outcome.
/// </summary>
internal sealed class CircuitBreakerStrategy<TResult> : ResilienceStrategy
{
    private readonly CircuitController _controller;
    private readonly ShouldHandlePredicate<TResult> _shouldHandle;
    private readonly bool _tracksSlowCalls;
    private readonly TimeSpan _slowCallDuration;
    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;

    public CircuitBreakerStrategy(CircuitController controller, Func<Outcome<TResult>, bool> shouldHandle, Func<CircuitBreakerPredicateArguments<TResult>, bool>? withArguments, bool exceptionsOnly, ResilienceTelemetry telemetry)
    {
        _controller = controller;
        _shouldHandle = new ShouldHandlePredicate<TResult>(
            shouldHandle,
            exceptionsOnly,
            withArguments is null ? null : (outcome, context, _) => withArguments(new CircuitBreakerPredicateArguments<TResult>(context, outcome)));
        _tracksSlowCalls = controller.TracksSlowCalls;
        _slowCallDuration = controller.SlowCallDuration;
        _time = controller.TimeProvider;
        _telemetry = telemetry;

        // Reported on the gauges of this pipeline's meter (a shared breaker, on those of every pipeline using it).
        telemetry.Observe(CircuitBreakerConstants.StateGauge, controller);
    }

    /// <summary>Gets the breaker's state machine (tests check no probe leaks).</summary>
    internal CircuitController Controller => _controller;

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var admitted = _controller.TryAcquire(out var permit, out var rejection, out var raised, context);
        if (!raised.IsCompletedSuccessfully)
        {
            // This call moved the state (half-open, or re-open): its event callback runs first, and fails the call if it fails.
            return RaiseThenContinueAsync(raised, admitted, permit, rejection, callback, context, state);
        }

        if (!admitted)
        {
            _telemetry.Report(CircuitBreakerConstants.OnRejectedEvent);
            return Outcome.FromExceptionAsValueTask<T>(rejection!);
        }

        return ExecutePermitted(permit, callback, context, state);
    }

    private ValueTask<Outcome<T>> ExecutePermitted<T, TState>(CircuitPermit permit, Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        var started = _tracksSlowCalls ? _time.GetTimestamp() : 0;
        ValueTask<Outcome<T>> pending;
#pragma warning disable CA1031 // An inner strategy that throws breaks its contract; its failure is still this call's result, and recorded.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenRecordAsync(pending, permit, started, context);
        }

        return Record(pending.Result, permit, started, context);
    }

    private async ValueTask<Outcome<T>> RaiseThenContinueAsync<T, TState>(
        ValueTask raised,
        bool admitted,
        CircuitPermit permit,
        Exception? rejection,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
#pragma warning disable CA1031 // A failing event callback fails this call (the documented rule), after the permit is given back.
        try
        {
            await raised.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (admitted)
            {
                _controller.Release(permit);
            }

            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        if (!admitted)
        {
            _telemetry.Report(CircuitBreakerConstants.OnRejectedEvent);
            return Outcome.FromException<T>(rejection!);
        }

        return await ExecutePermitted(permit, callback, context, state).ConfigureAwait(false);
    }

    private async ValueTask<Outcome<T>> AwaitThenRecordAsync<T>(ValueTask<Outcome<T>> pending, CircuitPermit permit, long started, ResilienceContext context)
    {
        Outcome<T> outcome;
#pragma warning disable CA1031 // A faulted inner task is a failure like any other, and must be recorded.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return await Record(outcome, permit, started, context).ConfigureAwait(false);
    }

    private ValueTask<Outcome<T>> Record<T>(Outcome<T> outcome, CircuitPermit permit, long started, ResilienceContext context)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            // The caller gave up: that says nothing about the dependency's health.
            _controller.Release(permit);
            return new ValueTask<Outcome<T>>(outcome);
        }

        bool failure;
#pragma warning disable CA1031 // A throwing ShouldHandle fails the call (the documented rule), after the permit is given back.
        try
        {
            failure = _shouldHandle.ShouldHandle(outcome, context);
        }
        catch (Exception ex)
        {
            _controller.Release(permit);
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        var slow = _tracksSlowCalls && _time.GetElapsedTime(started) > _slowCallDuration;
        var raised = _controller.Record(permit, failure, slow, failure ? outcome.Exception : null, context);
        return raised.IsCompletedSuccessfully ? new ValueTask<Outcome<T>>(outcome) : EventRaiser.AwaitThenReturnAsync(raised, outcome);
    }
}
