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

    public CircuitBreakerStrategy(CircuitController controller, Func<Outcome<TResult>, bool> shouldHandle, bool exceptionsOnly, ResilienceTelemetry telemetry)
    {
        _controller = controller;
        _shouldHandle = new ShouldHandlePredicate<TResult>(shouldHandle, exceptionsOnly);
        _tracksSlowCalls = controller.TracksSlowCalls;
        _slowCallDuration = controller.SlowCallDuration;
        _time = controller.TimeProvider;
        _telemetry = telemetry;

        // Reported on the gauges of this pipeline's meter (a shared breaker, on those of every pipeline using it).
        telemetry.Observe(CircuitBreakerConstants.StateGauge, controller);
    }

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (!_controller.TryAcquire(out var permit, out var rejection))
        {
            _telemetry.Report(CircuitBreakerConstants.OnRejectedEvent);
            return Outcome.FromExceptionAsValueTask<T>(rejection!);
        }

        var started = _tracksSlowCalls ? _time.GetTimestamp() : 0;
        var pending = callback(context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenRecordAsync(pending, permit, started, context);
        }

        var outcome = pending.Result;
        Record(outcome, permit, started, context);
        return new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> AwaitThenRecordAsync<T>(ValueTask<Outcome<T>> pending, CircuitPermit permit, long started, ResilienceContext context)
    {
        var outcome = await pending.ConfigureAwait(false);
        Record(outcome, permit, started, context);
        return outcome;
    }

    private void Record<T>(in Outcome<T> outcome, CircuitPermit permit, long started, ResilienceContext context)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            // The caller gave up: that says nothing about the dependency's health.
            _controller.Release(permit);
            return;
        }

        var failure = _shouldHandle.ShouldHandle(outcome, context);
        var slow = _tracksSlowCalls && _time.GetElapsedTime(started) > _slowCallDuration;
        _controller.Record(permit, failure, slow, failure ? outcome.Exception : null);
    }
}
