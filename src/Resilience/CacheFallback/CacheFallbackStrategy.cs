using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.CacheFallback;

/// <summary>
/// Stores each key's good results and replaces a handled failure with the stored result while it is fresh enough.
/// </summary>
internal sealed class CacheFallbackStrategy<TResult> : ResilienceStrategy
{
    private readonly CacheFallbackStore<TResult> _store;
    private readonly Func<ResilienceContext, string?> _keySelector;
    private readonly string _keyPrefix;
    private readonly TimeSpan _maxStaleness;
    private readonly ShouldHandlePredicate<TResult> _shouldHandle;
    private readonly Func<TResult, bool>? _shouldStore;
    private readonly Func<OnServedFromCacheArguments<TResult>, ValueTask>? _onServed;
    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;

    public CacheFallbackStrategy(CacheFallbackStrategyOptions<TResult> options, CacheFallbackStore<TResult> store, TimeProvider time, ResilienceTelemetry telemetry)
    {
        _store = store;
        _keySelector = options.KeySelector;
        _keyPrefix = options.KeyPrefix;
        _maxStaleness = options.MaxStaleness;
        _shouldHandle = new ShouldHandlePredicate<TResult>(options.ShouldHandle, options.UsesDefaultShouldHandle);
        _shouldStore = options.ShouldStore;
        _onServed = options.OnServedFromCache;
        _time = time;
        _telemetry = telemetry;
    }

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        string? key;
        ValueTask<Outcome<T>> pending;
#pragma warning disable CA1031 // A throwing key selector or inner strategy is the call's outcome, as for every user callback.
        try
        {
            key = _keySelector(context);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }

        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        if (key is null)
        {
            return pending;
        }

        return pending.IsCompletedSuccessfully
            ? AfterWork(pending.Result, key, context)
            : AwaitThenAfterWorkAsync(pending, key, context);
    }

    private async ValueTask<Outcome<T>> AwaitThenAfterWorkAsync<T>(ValueTask<Outcome<T>> pending, string key, ResilienceContext context)
    {
        Outcome<T> outcome;
#pragma warning disable CA1031 // See ExecuteCore.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return await AfterWork(outcome, key, context).ConfigureAwait(false);
    }

    private ValueTask<Outcome<T>> AfterWork<T>(Outcome<T> outcome, string key, ResilienceContext context)
    {
        bool handled;
#pragma warning disable CA1031 // A throwing ShouldHandle fails the call with its exception (the documented rule for user callbacks).
        try
        {
            handled = _shouldHandle.ShouldHandle(outcome, context);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        if (handled)
        {
            return ServeStoredAsync(outcome, key, context);
        }

        if (!outcome.HasResult)
        {
            return new ValueTask<Outcome<T>>(outcome);
        }

        var written = StoreAsync(Outcome.Convert<T, TResult>(outcome).Result!, key, context);
        return written.IsCompletedSuccessfully ? new ValueTask<Outcome<T>>(outcome) : AwaitStoredAsync(written, outcome);
    }

    private static async ValueTask<Outcome<T>> AwaitStoredAsync<T>(ValueTask written, Outcome<T> outcome)
    {
        await written.ConfigureAwait(false);
        return outcome;
    }

    private ValueTask StoreAsync(TResult value, string key, ResilienceContext context)
    {
#pragma warning disable CA1031 // A cache that cannot store must not fail a call that succeeded: reported, and the result returned.
        try
        {
            if (_shouldStore is not null && !_shouldStore(value))
            {
                return default;
            }

            var written = _store.SetAsync(_keyPrefix + key, new CachedResult<TResult>(value, _time.GetUtcNow()), _maxStaleness, context.CancellationToken);
            return written.IsCompletedSuccessfully ? default : ObserveStoreAsync(written);
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure(CacheFallbackConstants.StoreWriteCallback, ex);
            return default;
        }
#pragma warning restore CA1031
    }

    private async ValueTask ObserveStoreAsync(ValueTask written)
    {
#pragma warning disable CA1031 // See StoreAsync.
        try
        {
            await written.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure(CacheFallbackConstants.StoreWriteCallback, ex);
        }
#pragma warning restore CA1031
    }

    private async ValueTask<Outcome<T>> ServeStoredAsync<T>(Outcome<T> failure, string key, ResilienceContext context)
    {
        CachedResult<TResult>? stored;
#pragma warning disable CA1031 // A cache that cannot be read leaves the failure as it is; reported, never thrown over it.
        try
        {
            stored = await _store.GetAsync(_keyPrefix + key, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure(CacheFallbackConstants.StoreReadCallback, ex);
            return failure;
        }

        if (stored is not { } cached)
        {
            return failure;
        }

        // A result stored "in the future" (clocks of two instances sharing a distributed cache) is as fresh as can be.
        var age = _time.GetUtcNow() - cached.StoredAt;
        age = age < TimeSpan.Zero ? TimeSpan.Zero : age;
        if (age > _maxStaleness)
        {
            return failure;
        }

        context.Properties.Set(CacheFallbackProperties.ServedFromCacheAge, age);
        try
        {
            await EventRaiser.RaiseAsync(_onServed, new OnServedFromCacheArguments<TResult>(Outcome.Convert<T, TResult>(failure), context, key, cached, age), _telemetry, CacheFallbackConstants.OnServedFromCacheEvent)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return Outcome.Convert<TResult, T>(Outcome.FromResult(cached.Value));
    }
}
