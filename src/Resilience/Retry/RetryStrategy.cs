using Resilience.Internal;
using Resilience.Retry.Internal;
using Resilience.Telemetry;

namespace Resilience.Retry;

/// <summary>
/// Runs the rest of the pipeline again while its outcome is handled and a retry is left (attempts, duration, budget),
/// waiting a backoff delay in between on the pipeline's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RetryStrategy<TResult> : ResilienceStrategy
{
    private readonly int _maxRetries;
    private readonly BackoffType _backoff;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly JitterMode _jitter;
    private readonly double _jitterRange;
    private readonly TimeSpan? _maxDuration;
    private readonly ShouldHandlePredicate<TResult> _shouldHandle;
    private readonly Func<RetryDelayGeneratorArguments<TResult>, ValueTask<TimeSpan?>>? _delayGenerator;
    private readonly Func<OnRetryArguments<TResult>, ValueTask>? _onRetry;
    private readonly Func<OnRetriesExhaustedArguments<TResult>, ValueTask>? _onExhausted;
    private readonly RetryBudget? _budget;
    private readonly Func<double> _random;
    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;

    public RetryStrategy(RetryStrategyOptions<TResult> options, bool exceptionsOnly, StrategyBuilderContext context)
    {
        _maxRetries = options.MaxRetryAttempts;
        _backoff = options.BackoffType;
        _baseDelay = options.BaseDelay;
        _maxDelay = options.MaxDelay;
        _jitter = options.Jitter;
        _jitterRange = options.JitterRange;
        _maxDuration = options.MaxRetryDuration;
        var withArguments = options.ShouldHandleWithArguments;
        _shouldHandle = new ShouldHandlePredicate<TResult>(
            options.ShouldHandle,
            exceptionsOnly,
            withArguments is null ? null : (outcome, ctx, attempt) => withArguments(new RetryPredicateArguments<TResult>(ctx, outcome, attempt)));
        _delayGenerator = options.DelayGenerator;
        _onRetry = options.OnRetry;
        _onExhausted = options.OnRetriesExhausted;
        _budget = options.Budget;
        _random = options.Randomizer ?? Random.Shared.NextDouble;
        _time = context.TimeProvider;
        _telemetry = context.CreateTelemetry(options.Name, RetryConstants.DefaultName, RetryConstants.Events);
    }

    internal override bool MayRepeatCallback => true;

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        // The duration limit and OnRetry's Duration need a start time; reading the clock costs, so only when one is set.
        var started = _maxDuration is null && _onRetry is null ? 0 : _time.GetTimestamp();
        var pending = Invoke(callback, context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return RetryAsync(pending, firstReported: false, started, callback, context, state);
        }

        var outcome = pending.Result;
        if (outcome.ExceptionDispatchInfo is null && _shouldHandle.SkipsResults)
        {
            // A success the rule cannot handle: no rule to ask, no handler around asking it.
            _telemetry.ReportAttempt(outcome, handled: false);
            _budget?.RecordSuccess(afterRetry: false);
            return new ValueTask<Outcome<T>>(outcome);
        }

        bool handled;
#pragma warning disable CA1031 // A throwing ShouldHandle fails the call with its exception (the documented rule for user callbacks).
        try
        {
            handled = _shouldHandle.ShouldHandle(outcome, context, attemptNumber: 1);
        }
        catch (Exception ex)
        {
            _telemetry.ReportAttempt(outcome, handled: false);
            DisposeDropped(outcome);
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        // An attempt is counted once its rule decided: a handled result is a failed attempt.
        if (!_telemetry.ReportAttempt(outcome, handled))
        {
            if (_budget is not null && outcome.HasResult)
            {
                _budget.RecordSuccess(afterRetry: false);
            }

            return new ValueTask<Outcome<T>>(outcome);
        }

        return RetryAsync(new ValueTask<Outcome<T>>(outcome), firstReported: true, started, callback, context, state);
    }

    // No handler: the rest of the pipeline never throws (the library's strategies keep the contract, a foreign one is
    // guarded where the chain is made, the user's callback is invoked through CallbackInvoker), and one here kept the
    // first attempt from being inlined (measured: a fifth of the retry's success path). The retry holds nothing an
    // escaping exception could leak.
    private static ValueTask<Outcome<T>> Invoke<T, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
        => callback(context, state);

    private async ValueTask<Outcome<T>> RetryAsync<T, TState>(
        ValueTask<Outcome<T>> first,
        bool firstReported,
        long started,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        // Awaited here rather than in a helper: an extra async method would add a box to every asynchronous call.
        Outcome<T> outcome;
#pragma warning disable CA1031 // A faulted attempt is an outcome like any other, and may be retried.
        try
        {
            outcome = await first.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        // How long the attempt ran, for OnRetry; measured when its outcome arrived (the first attempt began at `started`).
        var attemptDuration = _onRetry is null ? TimeSpan.Zero : _time.GetElapsedTime(started);

        // Whatever a user callback throws (ShouldHandle, DelayGenerator, OnRetry, OnRetriesExhausted) ends the
        // retries and becomes the outcome; the result it replaces is dropped, so it is disposed.
#pragma warning disable CA1031 // The documented rule for user callbacks: their failure is the outcome.
        try
        {
            var previousDelayTicks = 0.0;
            for (var retry = 0; ; retry++)
            {
                // ExecuteCore judged and counted a first outcome that completed synchronously (it is here because it
                // was handled); every other attempt is judged and counted here, once, as Polly does.
                var judgedAlready = retry == 0 && firstReported;
                if (!judgedAlready && !_telemetry.ReportAttempt(outcome, _shouldHandle.ShouldHandle(outcome, context, attemptNumber: retry + 1)))
                {
                    if (_budget is not null && outcome.HasResult)
                    {
                        _budget.RecordSuccess(afterRetry: retry > 0);
                    }

                    return outcome;
                }

                if (retry >= _maxRetries)
                {
                    return await ExhaustedAsync(outcome, context, retry).ConfigureAwait(false);
                }

                // A caller that already gave up gets its cancellation: no delay is computed, no budget spent, no OnRetry.
                if (context.CancellationToken.IsCancellationRequested)
                {
                    DisposeDropped(outcome);
                    return Outcome.FromException<T>(new OperationCanceledException(context.CancellationToken));
                }

                var delay = await NextDelayAsync(outcome, context, retry, previousDelayTicks).ConfigureAwait(false);
                previousDelayTicks = delay.Ticks;
                if (_maxDuration is { } limit && _time.GetElapsedTime(started) + delay > limit)
                {
                    return await ExhaustedAsync(outcome, context, retry).ConfigureAwait(false);
                }

                if (_budget is not null && !_budget.TryAcquire())
                {
                    _telemetry.Report(RetryConstants.OnBudgetExhaustedEvent);
                    return await ExhaustedAsync(outcome, context, retry).ConfigureAwait(false);
                }

                _telemetry.LogRetry(retry + 1, delay, outcome);
                await EventRaiser.RaiseAsync(_onRetry, new OnRetryArguments<TResult>(context, Outcome.Convert<T, TResult>(outcome), retry + 1, delay, attemptDuration), _telemetry, RetryConstants.OnRetryEvent)
                    .ConfigureAwait(false);

                // A handled result is dropped for the next attempt; a response left undisposed would hold its connection.
                DisposeDropped(outcome);
                outcome = default;
                try
                {
                    await TimeDelay.WaitAsync(delay, _time, context.IsSynchronous, context.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex)
                {
                    return Outcome.FromException<T>(ex);
                }

                var attemptStarted = _onRetry is null ? 0 : _time.GetTimestamp();
                try
                {
                    outcome = await Invoke(callback, context, state).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    outcome = Outcome.FromException<T>(ex);
                }

                attemptDuration = _onRetry is null ? TimeSpan.Zero : _time.GetElapsedTime(attemptStarted);
            }
        }
        catch (Exception ex)
        {
            DisposeDropped(outcome);

            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031
    }

    private void DisposeDropped<T>(in Outcome<T> outcome)
    {
        if (outcome.Result is not IDisposable disposable)
        {
            return;
        }

#pragma warning disable CA1031 // The result is being thrown away: its Dispose failing must not cost the caller its own outcome.
        try
        {
            disposable.Dispose();
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure("Dispose", ex);
        }
#pragma warning restore CA1031
    }

    private async ValueTask<TimeSpan> NextDelayAsync<T>(Outcome<T> outcome, ResilienceContext context, int retry, double previousDelayTicks)
    {
        var delay = BackoffCalculator.Compute(_backoff, retry, _baseDelay, _maxDelay, _jitter, _jitterRange, _random, ref previousDelayTicks);
        if (RetryAfter.TryGet(outcome, _time, out var serverDelay))
        {
            delay = serverDelay > _maxDelay ? _maxDelay : serverDelay;
        }

        if (_delayGenerator is not null)
        {
            var generated = await _delayGenerator(new RetryDelayGeneratorArguments<TResult>(context, Outcome.Convert<T, TResult>(outcome), retry + 1, delay))
                .ConfigureAwait(false);
            if (generated is { } chosen)
            {
                // Bounded like every duration option, so no timer rejects it and no sum with it overflows.
                delay = chosen < TimeSpan.Zero ? TimeSpan.Zero : chosen > OptionGuard.MaxDuration ? OptionGuard.MaxDuration : chosen;
            }
        }

        return delay;
    }

    private async ValueTask<Outcome<T>> ExhaustedAsync<T>(Outcome<T> outcome, ResilienceContext context, int retries)
    {
        await EventRaiser.RaiseAsync(_onExhausted, new OnRetriesExhaustedArguments<TResult>(context, Outcome.Convert<T, TResult>(outcome), retries), _telemetry, RetryConstants.OnRetriesExhaustedEvent)
            .ConfigureAwait(false);
        return outcome;
    }
}
