using Resilience.Chaos.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Chaos;

/// <summary>
/// Returns a generated outcome for an injected call, without running the rest of the pipeline.
/// </summary>
internal sealed class ChaosOutcomeStrategy<TResult> : ChaosStrategy
{
    private readonly Func<ChaosGeneratorArguments, ValueTask<Outcome<TResult>?>> _outcome;
    private readonly Func<OnOutcomeInjectedArguments<TResult>, ValueTask>? _onInjected;

    public ChaosOutcomeStrategy(ChaosInjector injector, Func<ChaosGeneratorArguments, ValueTask<Outcome<TResult>?>> outcome, Func<OnOutcomeInjectedArguments<TResult>, ValueTask>? onInjected, ResilienceTelemetry telemetry)
        : base(injector, telemetry)
    {
        _outcome = outcome;
        _onInjected = onInjected;
    }

    protected override async ValueTask<Outcome<T>> InjectAsync<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (await _outcome(new ChaosGeneratorArguments(context)).ConfigureAwait(false) is not { } outcome)
        {
            return await callback(context, state).ConfigureAwait(false);
        }

        await EventRaiser.RaiseAsync(_onInjected, new OnOutcomeInjectedArguments<TResult>(context, outcome), Telemetry, ChaosConstants.OnOutcomeInjectedEvent).ConfigureAwait(false);
        return Outcome.Convert<TResult, T>(outcome);
    }
}
