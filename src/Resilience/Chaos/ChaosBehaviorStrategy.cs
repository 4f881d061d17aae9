using Resilience.Chaos.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Chaos;

/// <summary>
/// Runs a generated behaviour before an injected call, then the call itself.
/// </summary>
internal sealed class ChaosBehaviorStrategy : ChaosStrategy
{
    private readonly Func<ChaosGeneratorArguments, ValueTask> _behavior;
    private readonly Func<OnBehaviorInjectedArguments, ValueTask>? _onInjected;

    public ChaosBehaviorStrategy(ChaosInjector injector, Func<ChaosGeneratorArguments, ValueTask> behavior, Func<OnBehaviorInjectedArguments, ValueTask>? onInjected, ResilienceTelemetry telemetry)
        : base(injector, telemetry)
    {
        _behavior = behavior;
        _onInjected = onInjected;
    }

    protected override async ValueTask<Outcome<T>> InjectAsync<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        await _behavior(new ChaosGeneratorArguments(context)).ConfigureAwait(false);
        await EventRaiser.RaiseAsync(_onInjected, new OnBehaviorInjectedArguments(context), Telemetry, ChaosConstants.OnBehaviorInjectedEvent).ConfigureAwait(false);
        return await callback(context, state).ConfigureAwait(false);
    }
}
