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
        _shouldHandle = new ShouldHandlePredicate<TResult>(options.ShouldHandle, exceptionsOnly);
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
        // The duration limit needs a start time; reading the clock costs, so only when it is set.
        var started = _maxDuration is null ? 0 : _time.GetTimestamp();
        var pending = callback(context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return RetryAsync(pending, firstReported: false, started, callback, context, state);
        }

        var outcome = pending.Result;
        if (!_telemetry.ReportAttempt(outcome, _shouldHandle.ShouldHandle(outcome, context)))
        {
            if (_budget is not null && outcome.HasResult)
            {
                _budget.RecordSuccess(afterRetry: false);
            }

            return new ValueTask<Outcome<T>>(outcome);
        }

        return RetryAsync(new ValueTask<Outcome<T>>(outcome), firstReported: true, started, callback, context, state);
    }

    private async ValueTask<Outcome<T>> RetryAsync<T, TState>(
        ValueTask<Outcome<T>> first,
        bool firstReported,
        long started,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var outcome = await first.ConfigureAwait(false);
        var previousDelayTicks = 0.0;
        for (var retry = 0; ; retry++)
        {
            // An attempt is counted once its rule decided (a handled result is a failed attempt); ExecuteCore counted a first outcome that completed synchronously.
            var handled = _shouldHandle.ShouldHandle(outcome, context);
            if (!(retry == 0 && firstReported ? handled : _telemetry.ReportAttempt(outcome, handled)))
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
            await EventRaiser.RaiseAsync(_onRetry, new OnRetryArguments<TResult>(context, Outcome.Convert<T, TResult>(outcome), retry + 1, delay), _telemetry, RetryConstants.OnRetryEvent)
                .ConfigureAwait(false);

            // A handled result is dropped for the next attempt; a response left undisposed would hold its connection.
            if (outcome.Result is IDisposable disposable)
            {
                disposable.Dispose();
            }

            try
            {
                await TimeDelay.WaitAsync(delay, _time, context.IsSynchronous, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex)
            {
                return Outcome.FromException<T>(ex);
            }

            outcome = await callback(context, state).ConfigureAwait(false);
        }
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
                delay = chosen < TimeSpan.Zero ? TimeSpan.Zero : chosen;
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
