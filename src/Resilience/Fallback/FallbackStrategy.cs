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
        Func<FallbackPredicateArguments<TResult>, bool>? withArguments,
        bool exceptionsOnly,
        Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>[] actions,
        Func<OnFallbackArguments<TResult>, ValueTask>? onFallback,
        ResilienceTelemetry telemetry)
    {
        _shouldHandle = new ShouldHandlePredicate<TResult>(
            shouldHandle,
            exceptionsOnly,
            withArguments is null ? null : (outcome, context, _) => withArguments(new FallbackPredicateArguments<TResult>(context, outcome)));
        _actions = actions;
        _onFallback = onFallback;
        _telemetry = telemetry;
    }

    protected internal override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        ValueTask<Outcome<T>> pending;
#pragma warning disable CA1031 // An inner strategy that throws breaks its contract; its failure is an outcome a fallback may replace.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<T>(ex);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenFallBackAsync(pending, context);
        }

        // Reading Result consumed the task: a pooled source behind it may already serve another call, so the
        // outcome travels on in a new task, never in the one just read.
        var outcome = pending.Result;
        bool handled;
        try
        {
            handled = _shouldHandle.ShouldHandle(outcome, context);
        }
        catch (Exception ex)
        {
            // A throwing ShouldHandle fails the call with its exception (the documented rule for user callbacks).
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        return handled ? FallBackAsync(outcome, context) : new ValueTask<Outcome<T>>(outcome);
    }

    private async ValueTask<Outcome<T>> AwaitThenFallBackAsync<T>(ValueTask<Outcome<T>> pending, ResilienceContext context)
    {
        Outcome<T> outcome;
        bool handled;
#pragma warning disable CA1031 // See ExecuteCore.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<T>(ex);
        }

        try
        {
            handled = _shouldHandle.ShouldHandle(outcome, context);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return handled ? await FallBackAsync(outcome, context).ConfigureAwait(false) : outcome;
    }

    private async ValueTask<Outcome<T>> FallBackAsync<T>(Outcome<T> outcome, ResilienceContext context)
    {
#pragma warning disable CA1031 // A failing OnFallback or ShouldHandle is the outcome (the documented rule); a failing fallback is an outcome the next fallback may handle.
        try
        {
            for (var i = 0; i < _actions.Length; i++)
            {
                var handled = Outcome.Convert<T, TResult>(outcome);
                await EventRaiser.RaiseAsync(_onFallback, new OnFallbackArguments<TResult>(handled, context, i), _telemetry, FallbackConstants.OnFallbackEvent)
                    .ConfigureAwait(false);

                Outcome<TResult> produced;
                try
                {
                    produced = await _actions[i](new FallbackActionArguments<TResult>(handled, context, i, typeof(T))).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    produced = Outcome.FromException<TResult>(ex);
                }

                outcome = Outcome.Convert<TResult, T>(produced);

                // Asked only where the answer decides something: whether the next action runs. The last action's
                // outcome is returned whatever it is, so (as in Polly, with its single action) it is not judged.
                if (i == _actions.Length - 1 || !_shouldHandle.ShouldHandle(outcome, context))
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        return outcome;
    }
}
