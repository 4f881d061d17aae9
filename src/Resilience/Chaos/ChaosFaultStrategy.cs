using Resilience.Chaos.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Chaos;

/// <summary>
/// Fails an injected call with a generated exception, without running the rest of the pipeline.
/// </summary>
internal sealed class ChaosFaultStrategy : ChaosStrategy
{
    private readonly Func<ChaosGeneratorArguments, ValueTask<Exception?>> _fault;
    private readonly Func<OnFaultInjectedArguments, ValueTask>? _onInjected;

    public ChaosFaultStrategy(ChaosInjector injector, Func<ChaosGeneratorArguments, ValueTask<Exception?>> fault, Func<OnFaultInjectedArguments, ValueTask>? onInjected, ResilienceTelemetry telemetry)
        : base(injector, telemetry)
    {
        _fault = fault;
        _onInjected = onInjected;
    }

    protected override async ValueTask<Outcome<T>> InjectAsync<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var fault = await _fault(new ChaosGeneratorArguments(context)).ConfigureAwait(false);
        if (fault is null)
        {
            return await callback(context, state).ConfigureAwait(false);
        }

        await EventRaiser.RaiseAsync(_onInjected, new OnFaultInjectedArguments(context, fault), Telemetry, ChaosConstants.OnFaultInjectedEvent).ConfigureAwait(false);
        return Outcome.FromException<T>(fault);
    }
}
