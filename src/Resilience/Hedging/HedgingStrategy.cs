using Resilience.Hedging.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Hedging;

/// <summary>
/// Runs the rest of the pipeline once, and again (up to <c>MaxHedgedAttempts</c> more times) when the running attempts
/// take longer than the hedging delay or end in a handled outcome; the first outcome that is not handled wins and the
/// other attempts are cancelled. Each attempt has its own context and token, so attempts neither share properties nor
/// cancel each other.
/// </summary>
internal sealed class HedgingStrategy<TResult> : ResilienceStrategy
{
    private readonly int _maxAttempts;
    private readonly TimeSpan _delay;
    private readonly Func<HedgingDelayGeneratorArguments, ValueTask<TimeSpan>>? _delayGenerator;
    private readonly Func<HedgingActionGeneratorArguments<TResult>, Func<ValueTask<Outcome<TResult>>>?>? _actionGenerator;
    private readonly Func<OnHedgingArguments<TResult>, ValueTask>? _onHedging;
    private readonly ShouldHandlePredicate<TResult> _shouldHandle;
    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;

    public HedgingStrategy(HedgingStrategyOptions<TResult> options, bool exceptionsOnly, StrategyBuilderContext context)
    {
        _maxAttempts = options.MaxHedgedAttempts + 1;
        _delay = options.Delay;
        _delayGenerator = options.DelayGenerator;
        _actionGenerator = options.ActionGenerator;
        _onHedging = options.OnHedging;
        _shouldHandle = new ShouldHandlePredicate<TResult>(options.ShouldHandle, exceptionsOnly);
        _time = context.TimeProvider;
        _telemetry = context.CreateTelemetry(options.Name, HedgingConstants.DefaultName, HedgingConstants.Events);
    }

    internal override bool MayRepeatCallback => true;

    // Fallback mode with a fixed delay never runs two attempts at once, so a synchronous caller can run them inline.
    private bool AttemptsNeverOverlap => _delayGenerator is null && _delay == System.Threading.Timeout.InfiniteTimeSpan;

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var callerToken = context.CancellationToken;
        if (callerToken.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<T>(new OperationCanceledException(callerToken));
        }

        // A synchronous caller's work blocks its thread: to hedge it, every attempt runs on the thread pool.
        if (context.IsSynchronous && !AttemptsNeverOverlap)
        {
            return HedgeAsync(first: null, callback, context, state);
        }

        // The first attempt, inline and without allocating: a pooled context, a cached source, a struct registration.
        var source = CancellationSourceCache.Rent();
        var registration = HedgedAttempt<T>.Link(source, callerToken);
        var attemptContext = HedgedAttempt<T>.CreateContext(context, source.Token);
        var pending = callback(attemptContext, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return HedgeAsync(HedgedAttempt<T>.Started(attemptContext, source, registration, pending), callback, context, state);
        }

        var outcome = pending.Result;
        if (_shouldHandle.ShouldHandle(outcome, context))
        {
            return HedgeAsync(HedgedAttempt<T>.Started(attemptContext, source, registration, new ValueTask<Outcome<T>>(outcome)), callback, context, state);
        }

        _telemetry.ReportAttempt(outcome, handled: false);
        attemptContext.CopyPropertiesTo(context);
        registration.Dispose();
        ResilienceContextPool.Shared.Return(attemptContext);
        CancellationSourceCache.Return(source);
        return new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> HedgeAsync<T, TState>(
        HedgedAttempt<T>? first,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        // The attempts still running, in the order they started; rented, so a hedged call allocates no list.
        var running = new AttemptList<T>(_maxAttempts);
        var launched = 0;
        if (first is not null)
        {
            running.Add(first);
            launched = 1;
        }

        var maxAttempts = _maxAttempts;
        var launchNow = first is null;
        HedgedAttempt<T>? firstHandled = null;
        HedgedAttempt<T>? accepted = null;
        try
        {
            while (true)
            {
                // Outcomes are judged in the order the attempts started, so of two that ended together the older wins.
                for (var i = 0; i < running.Count; i++)
                {
                    var attempt = running[i];
                    if (!attempt.IsCompleted)
                    {
                        continue;
                    }

                    running.RemoveAt(i--);
                    var outcome = attempt.Outcome;
                    var handled = _shouldHandle.ShouldHandle(outcome, context);
                    _telemetry.ReportAttempt(outcome, handled);
                    if (!handled)
                    {
                        accepted = attempt;
                        return Accept(attempt, outcome, context);
                    }

                    // Should every attempt lose, the earliest-started one's outcome is the answer (as in Polly); a
                    // handled result nobody will receive is disposed, for it may hold a connection.
                    attempt.ReleaseToken();
                    if (firstHandled is null || attempt.Number < firstHandled.Number)
                    {
                        firstHandled?.Release(disposeResult: true);
                        firstHandled = attempt;
                    }
                    else
                    {
                        attempt.Release(disposeResult: true);
                    }

                    launchNow = true;
                }

                if (context.CancellationToken.IsCancellationRequested)
                {
                    return Outcome.FromException<T>(new OperationCanceledException(context.CancellationToken));
                }

                if (launchNow && launched < maxAttempts)
                {
                    launchNow = false;
                    var next = await LaunchAsync(launched, callback, context, state).ConfigureAwait(false);
                    if (next is null)
                    {
                        // The action generator declined: no further attempt will start.
                        maxAttempts = launched;
                    }
                    else
                    {
                        running.Add(next);
                        launched++;
                    }

                    continue;
                }

                if (running.Count == 0)
                {
                    // Every attempt ended in a handled outcome: the first attempt's is the answer.
                    accepted = firstHandled!;
                    firstHandled = null;
                    return Accept(accepted, accepted.Outcome, context);
                }

                var delay = launched < maxAttempts ? await NextDelayAsync(launched, context).ConfigureAwait(false) : System.Threading.Timeout.InfiniteTimeSpan;
                if (delay == TimeSpan.Zero)
                {
                    launchNow = true;
                    continue;
                }

                launchNow = await WaitAsync(running, delay, context.CancellationToken).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A failing delay generator fails the call as an outcome; the attempts are cancelled below.
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031
        finally
        {
            for (var i = 0; i < running.Count; i++)
            {
                running[i].Abandon();
            }

            running.Dispose();

            firstHandled?.Release(disposeResult: true);
            accepted?.Release(disposeResult: false);
        }
    }

    private static Outcome<T> Accept<T>(HedgedAttempt<T> attempt, Outcome<T> outcome, ResilienceContext context)
    {
        // What the winning attempt stored in its context is what the caller sees, as if it had been the only one.
        attempt.Context.CopyPropertiesTo(context);
        return outcome;
    }

    private async ValueTask<HedgedAttempt<T>?> LaunchAsync<T, TState>(
        int attemptNumber,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var attempt = HedgedAttempt<T>.Create(context, attemptNumber);
        if (attemptNumber > 0)
        {
            await EventRaiser.RaiseAsync(_onHedging, new OnHedgingArguments<TResult>(context, attempt.Context, attemptNumber), _telemetry, HedgingConstants.OnHedgingEvent)
                .ConfigureAwait(false);
        }

        if (attemptNumber == 0 || _actionGenerator is null)
        {
            // The pipeline's callback never throws and needs no wrapper.
            if (context.IsSynchronous)
            {
                attempt.Start(Task.Run(() => callback(attempt.Context, state).AsTask()));
            }
            else
            {
                attempt.Start(callback(attempt.Context, state));
            }

            return attempt;
        }

        Func<ValueTask<Outcome<TResult>>>? generated;
#pragma warning disable CA1031 // A failing generator is that attempt's outcome.
        try
        {
            generated = _actionGenerator(new HedgingActionGeneratorArguments<TResult>(context, attempt.Context, attemptNumber, ctx => ConvertAsync<T, TResult>(callback(ctx, state))));
        }
        catch (Exception ex)
        {
            generated = () => Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        if (generated is null)
        {
            attempt.Release(disposeResult: false);
            return null;
        }

        if (context.IsSynchronous)
        {
            attempt.Start(Task.Run(() => InvokeAsync<T>(generated).AsTask()));
        }
        else
        {
            attempt.Start(InvokeAsync<T>(generated));
        }

        return attempt;
    }

    private static ValueTask<Outcome<T>> InvokeAsync<T>(Func<ValueTask<Outcome<TResult>>> action)
    {
#pragma warning disable CA1031 // A user action that throws instead of returning an outcome still yields one.
        try
        {
            var pending = action();
            return pending.IsCompletedSuccessfully ? new ValueTask<Outcome<T>>(Outcome.Convert<TResult, T>(pending.Result)) : GuardAsync<T>(pending);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031
    }

    private static async ValueTask<Outcome<T>> GuardAsync<T>(ValueTask<Outcome<TResult>> pending)
    {
#pragma warning disable CA1031 // See InvokeAsync.
        try
        {
            return Outcome.Convert<TResult, T>(await pending.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031
    }

    private static ValueTask<Outcome<TTo>> ConvertAsync<TFrom, TTo>(ValueTask<Outcome<TFrom>> pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<Outcome<TTo>>(Outcome.Convert<TFrom, TTo>(pending.Result));
        }

        return AwaitConvertAsync<TFrom, TTo>(pending);
    }

    private static async ValueTask<Outcome<TTo>> AwaitConvertAsync<TFrom, TTo>(ValueTask<Outcome<TFrom>> pending)
        => Outcome.Convert<TFrom, TTo>(await pending.ConfigureAwait(false));

    private async ValueTask<TimeSpan> NextDelayAsync(int attemptNumber, ResilienceContext context)
    {
        if (_delayGenerator is null)
        {
            return _delay;
        }

        var delay = await _delayGenerator(new HedgingDelayGeneratorArguments(context, attemptNumber)).ConfigureAwait(false);
        return delay < TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : delay;
    }

    /// <summary>
    /// Waits until an attempt ends, the delay passes or the caller cancels; returns whether the delay passed (so the
    /// next attempt is due).
    /// </summary>
    private async ValueTask<bool> WaitAsync<T>(AttemptList<T> running, TimeSpan delay, CancellationToken callerToken)
    {
        using var stop = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
        var timer = Task.Delay(delay, _time, stop.Token);
        var tasks = new List<Task>(running.Count + 1) { timer };
        for (var i = 0; i < running.Count; i++)
        {
            if (running[i].PendingTask is { } task)
            {
                tasks.Add(task);
            }
        }

        await Task.WhenAny(tasks).ConfigureAwait(false);

        // Stops the timer when an attempt ended first.
        await stop.CancelAsync().ConfigureAwait(false);
        return timer.IsCompletedSuccessfully;
    }
}
