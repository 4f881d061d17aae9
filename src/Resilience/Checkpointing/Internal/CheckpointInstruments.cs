using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Resilience.Telemetry;

namespace Resilience.Checkpointing.Internal;

/// <summary>
/// Checkpointing's instruments on the library's meter (the shared one, or a meter factory's), created once per meter;
/// the lag gauge reads the live managers through the meter's <see cref="LiveComponents"/>.
/// </summary>
internal sealed class CheckpointInstruments
{
    private static readonly ConditionalWeakTable<Meter, CheckpointInstruments> ByMeter = new();

    private static readonly GaugeDefinition<CheckpointManager> Lag = GaugeDefinition<CheckpointManager>.GaugeOfMany(
        CheckpointTelemetryNames.Lag,
        "{item}",
        "Items seen but not yet committed, per partition.",
        static (manager, into) => manager.MeasureLag(into));

    private readonly ResilienceInstruments _shared;

    private CheckpointInstruments(Meter meter, ResilienceInstruments shared)
    {
        _shared = shared;
        CommitDuration = meter.CreateHistogram<double>(CheckpointTelemetryNames.CommitDuration, "ms", "Duration of durable checkpoint commits.");
    }

    public Histogram<double> CommitDuration { get; }

    public static CheckpointInstruments For(IMeterFactory? meterFactory)
    {
        var shared = meterFactory is null ? ResilienceInstruments.Shared : ResilienceInstruments.For(meterFactory.Create(ResilienceTelemetryNames.Meter));
        return ByMeter.GetValue(shared.Events.Meter, m => new CheckpointInstruments(m, shared));
    }

    public void Observe(CheckpointManager manager) => _shared.Live.Observe(Lag, manager);
}
