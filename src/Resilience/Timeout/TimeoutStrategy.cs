using Resilience.Internal;
using Resilience.Telemetry;
using Resilience.Timeout.Internal;

namespace Resilience.Timeout;

/// <summary>
/// Cancels the token of the wrapped work after a timeout and turns the resulting cancellation into a
/// <see cref="TimeoutRejectedException"/>; the caller's own cancellation stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class TimeoutStrategy : ResilienceStrategy
{
    private readonly TimeSpan _timeout;
    private readonly Func<TimeoutGeneratorArguments, ValueTask<TimeSpan>>? _generator;
    private readonly Func<OnTimeoutArguments, ValueTask>? _onTimeout;
    private readonly TimeoutSlotPool _pool;
    private readonly ResilienceTelemetry _telemetry;

    public TimeoutStrategy(TimeoutStrategyOptions options, StrategyBuilderContext context)
    {
        _timeout = options.Timeout;
        _generator = options.TimeoutGenerator;
        _onTimeout = options.OnTimeout;
        _pool = new TimeoutSlotPool(context.TimeProvider);
        _telemetry = context.CreateTelemetry(options.Name, TimeoutConstants.DefaultName, TimeoutConstants.Events);
    }

    /// <summary>Gets the slot pool (tests check no slot leaks).</summary>
    internal TimeoutSlotPool Pool => _pool;

    protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (_generator is null)
        {
            return ExecuteWithTimeout(_timeout, callback, context, state);
        }

        ValueTask<TimeSpan> generated;
#pragma warning disable CA1031 // A failing generator fails this call, as an outcome.
        try
        {
            generated = _generator(new TimeoutGeneratorArguments(context));
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        return generated.IsCompletedSuccessfully
            ? ExecuteWithTimeout(generated.Result, callback, context, state)
            : GenerateThenExecuteAsync(generated, callback, context, state);
    }

    private async ValueTask<Outcome<TResult>> GenerateThenExecuteAsync<TResult, TState>(
        ValueTask<TimeSpan> generated,
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        TimeSpan timeout;
#pragma warning disable CA1031 // A failing generator fails this call, as an outcome.
        try
        {
            timeout = await generated.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<TResult>(ex);
        }
#pragma warning restore CA1031

        return await ExecuteWithTimeout(timeout, callback, context, state).ConfigureAwait(false);
    }

    private ValueTask<Outcome<TResult>> ExecuteWithTimeout<TResult, TState>(
        TimeSpan timeout,
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (!TimeoutConstants.IsEnforced(timeout))
        {
            return callback(context, state);
        }

        timeout = TimeoutConstants.Bounded(timeout);
        var callerToken = context.CancellationToken;
        var slot = _pool.Rent(timeout);
        var source = slot.Source;

        // Nested directly in one of ours (nothing between changed the token): link to it, which allocates nothing;
        // a registration on its fresh token would allocate that token's registration list on every call.
        var parent = context.ActiveTimeout as TimeoutSlot;
        var link = new Link(
            parent is not null && parent.Source.Token == callerToken && parent.TryLinkChild(source) ? parent : null,
            context.ActiveTimeout);
        var registration = link.Parent is null && callerToken.CanBeCanceled
            ? callerToken.UnsafeRegister(static s => ((TimeoutSlot)s!).Cancel(), slot)
            : default;
        context.CancellationToken = source.Token;
        context.ActiveTimeout = slot;

        ValueTask<Outcome<TResult>> pending;
#pragma warning disable CA1031 // An inner strategy that throws breaks its contract; the slot and the caller's token still come back.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenCompleteAsync(pending, timeout, slot, registration, link, context, callerToken);
        }

        return Complete(pending.Result, timeout, slot, registration, link, context, callerToken);
    }

    private async ValueTask<Outcome<TResult>> AwaitThenCompleteAsync<TResult>(
        ValueTask<Outcome<TResult>> pending,
        TimeSpan timeout,
        TimeoutSlot slot,
        CancellationTokenRegistration registration,
        Link link,
        ResilienceContext context,
        CancellationToken callerToken)
    {
        Outcome<TResult> outcome;
#pragma warning disable CA1031 // A faulted inner task is this call's failure; the slot and the caller's token still come back.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<TResult>(ex);
        }
#pragma warning restore CA1031

        return await Complete(outcome, timeout, slot, registration, link, context, callerToken).ConfigureAwait(false);
    }

    private ValueTask<Outcome<TResult>> Complete<TResult>(
        Outcome<TResult> outcome,
        TimeSpan timeout,
        TimeoutSlot slot,
        CancellationTokenRegistration registration,
        Link link,
        ResilienceContext context,
        CancellationToken callerToken)
    {
        context.CancellationToken = callerToken;
        context.ActiveTimeout = link.Previous;

        // Unregister before the slot goes back to the pool, so a late caller cancellation cannot cancel the use
        // another call makes of it next. Dispose waits for a running callback to finish; a parent that reads the link
        // just before it is removed cancels only this call's own source, which no later call ever uses.
        link.Parent?.UnlinkChild(slot.Source);
        registration.Dispose();
        var ownToken = slot.Source.Token;
        var timedOut = slot.Source.IsCancellationRequested && !callerToken.IsCancellationRequested;
        _pool.Return(slot);

        if (outcome.Exception is not OperationCanceledException cancellation)
        {
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        if (!timedOut)
        {
            return new ValueTask<Outcome<TResult>>(callerToken.IsCancellationRequested && cancellation.CancellationToken == ownToken
                ? ForCaller<TResult>(cancellation, callerToken)
                : outcome);
        }

        var rejected = Outcome.FromException<TResult>(new TimeoutRejectedException(timeout, _telemetry.PipelineName, cancellation));
        return EventRaiser.RaiseThenReturn(_onTimeout, new OnTimeoutArguments(context, timeout), _telemetry, TimeoutConstants.OnTimeoutEvent, rejected);
    }

    // The work saw this strategy's token, so a cancellation the caller caused names that token; the caller filters on
    // its own (`catch (OperationCanceledException e) when (e.CancellationToken == ct)`), as Polly 8.7 lets it. Only a
    // cancellation of our own token is translated (one raised on some other token is the work's business); each
    // timeout hands back the token it was given, so nested timeouts and a retry on either side all end with the
    // caller's. Only the cancelled path pays for the new exception; what the work threw stays as the inner exception.
    private static Outcome<TResult> ForCaller<TResult>(OperationCanceledException cancellation, CancellationToken callerToken)
        => Outcome.FromException<TResult>(new OperationCanceledException(cancellation.Message, cancellation, callerToken));

    // The enclosing timeout this one linked to (null: it registered on the caller's token instead), and what the
    // context named as the active timeout before this one, put back when this call completes.
    private readonly record struct Link(TimeoutSlot? Parent, object? Previous);
}
