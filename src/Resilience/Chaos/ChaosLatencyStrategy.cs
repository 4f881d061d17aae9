using Resilience.Chaos.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.Chaos;

/// <summary>
/// Delays an injected call on the pipeline's <see cref="TimeProvider"/>, then runs it; the caller's cancellation ends
/// the wait (and the call) at once.
/// </summary>
internal sealed class ChaosLatencyStrategy : ChaosStrategy
{
    private readonly TimeSpan _latency;
    private readonly Func<ChaosGeneratorArguments, ValueTask<TimeSpan>>? _generator;
    private readonly Func<OnLatencyInjectedArguments, ValueTask>? _onInjected;
    private readonly TimeProvider _time;

    public ChaosLatencyStrategy(ChaosInjector injector, ChaosLatencyStrategyOptions options, TimeProvider time, ResilienceTelemetry telemetry)
        : base(injector, telemetry)
    {
        _latency = options.Latency;
        _generator = options.LatencyGenerator;
        _onInjected = options.OnLatencyInjected;
        _time = time;
    }

    protected override async ValueTask<Outcome<T>> InjectAsync<T, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var latency = _generator is null ? _latency : await _generator(new ChaosGeneratorArguments(context)).ConfigureAwait(false);
        if (latency > TimeSpan.Zero)
        {
            await EventRaiser.RaiseAsync(_onInjected, new OnLatencyInjectedArguments(context, latency), Telemetry, ChaosConstants.OnLatencyInjectedEvent).ConfigureAwait(false);
            try
            {
                await TimeDelay.WaitAsync(latency, _time, context.IsSynchronous, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex)
            {
                return Outcome.FromException<T>(ex);
            }
        }

        return await callback(context, state).ConfigureAwait(false);
    }
}
