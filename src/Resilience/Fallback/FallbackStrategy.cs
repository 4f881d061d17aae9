using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Fallback;

/// <summary>
/// Replaces a handled outcome with the first fallback in the chain whose outcome is not handled.
/// </summary>
internal sealed class FallbackStrategy<TResult> : ResilienceStrategy
{
    private readonly ShouldHandlePredicate<TResult> _shouldHandle;
    private readonly Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>[] _actions;
    private readonly Func<OnFallbackArguments<TResult>, ValueTask>? _onFallback;
    private readonly ResilienceTelemetry _telemetry;

    public FallbackStrategy(
        Func<Outcome<TResult>, bool> shouldHandle,
        bool exceptionsOnly,
        Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>[] actions,
        Func<OnFallbackArguments<TResult>, ValueTask>? onFallback,
        ResilienceTelemetry telemetry)
    {
        _shouldHandle = new ShouldHandlePredicate<TResult>(shouldHandle, exceptionsOnly);
        _actions = actions;
        _onFallback = onFallback;
        _telemetry = telemetry;
    }

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var pending = callback(context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenFallBackAsync(pending, context);
        }

        // Reading Result consumed the task: a pooled source behind it may already serve another call, so the
        // outcome travels on in a new task, never in the one just read.
        var outcome = pending.Result;
        return _shouldHandle.ShouldHandle(outcome, context) ? FallBackAsync(outcome, context) : new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> AwaitThenFallBackAsync<T>(ValueTask<Outcome<T>> pending, ResilienceContext context)
    {
        var outcome = await pending.ConfigureAwait(false);
        return _shouldHandle.ShouldHandle(outcome, context)
            ? await FallBackAsync(outcome, context).ConfigureAwait(false)
            : outcome;
    }

    private async ValueTask<Outcome<T>> FallBackAsync<T>(Outcome<T> outcome, ResilienceContext context)
    {
        for (var i = 0; i < _actions.Length; i++)
        {
            var handled = Outcome.Convert<T, TResult>(outcome);
            await EventRaiser.RaiseAsync(_onFallback, new OnFallbackArguments<TResult>(handled, context, i), _telemetry, FallbackConstants.OnFallbackEvent)
                .ConfigureAwait(false);

            Outcome<TResult> produced;
#pragma warning disable CA1031 // A failing fallback is an outcome like any other; the next fallback may handle it.
            try
            {
                produced = await _actions[i](new FallbackActionArguments<TResult>(handled, context, i, typeof(T))).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                produced = Outcome.FromException<TResult>(ex);
            }
#pragma warning restore CA1031

            outcome = Outcome.Convert<TResult, T>(produced);
            if (!_shouldHandle.ShouldHandle(outcome, context))
            {
                break;
            }
        }

        return outcome;
    }
}
