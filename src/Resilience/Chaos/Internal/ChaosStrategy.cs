using Resilience.Telemetry;

namespace Resilience.Chaos.Internal;

/// <summary>
/// The part every chaos strategy shares: skip at once when chaos is off, otherwise decide and either inject or run
/// the rest of the pipeline untouched.
/// </summary>
internal abstract class ChaosStrategy : ResilienceStrategy
{
    private readonly ChaosInjector _injector;

    protected ChaosStrategy(ChaosInjector injector, ResilienceTelemetry telemetry)
    {
        _injector = injector;
        Telemetry = telemetry;
    }

    protected ResilienceTelemetry Telemetry { get; }

    protected internal sealed override ValueTask<Outcome<T>> ExecuteCore<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (_injector.IsOff)
        {
            return callback(context, state);
        }

        ValueTask<bool> decision;
#pragma warning disable CA1031 // A failing generator fails this call, as an outcome.
        try
        {
            decision = _injector.ShouldInjectAsync(context);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031

        if (!decision.IsCompletedSuccessfully)
        {
            return DecideThenRunAsync(decision, callback, context, state);
        }

        return decision.Result ? InjectGuarded(callback, context, state) : callback(context, state);
    }

    /// <summary>Injects the chaos into one call: replaces its outcome, or delays or precedes it.</summary>
    protected abstract ValueTask<Outcome<T>> InjectAsync<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state);

    private async ValueTask<Outcome<T>> DecideThenRunAsync<T, TState>(
        ValueTask<bool> decision,
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        bool inject;
#pragma warning disable CA1031 // A failing generator fails this call, as an outcome.
        try
        {
            inject = await decision.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031

        if (inject)
        {
            return await InjectGuarded(callback, context, state).ConfigureAwait(false);
        }

        return await callback(context, state).ConfigureAwait(false);
    }

    private ValueTask<Outcome<T>> InjectGuarded<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
#pragma warning disable CA1031 // A generator or behaviour that throws fails this call, as an outcome: strategies never throw.
        try
        {
            var pending = InjectAsync(callback, context, state);
            return pending.IsCompletedSuccessfully ? pending : GuardAsync(pending);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<T>(ex);
        }
#pragma warning restore CA1031
    }

    private static async ValueTask<Outcome<T>> GuardAsync<T>(ValueTask<Outcome<T>> pending)
    {
#pragma warning disable CA1031 // See InjectGuarded.
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
#pragma warning restore CA1031
    }
}
