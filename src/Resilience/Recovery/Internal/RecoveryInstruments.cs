using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Resilience.Telemetry;

namespace Resilience.Recovery.Internal;

/// <summary>
/// Recovery's instruments on the library's meter (the shared one, or a meter factory's), created once per meter; the
/// in-progress counter reads the live workflows through the meter's <see cref="LiveComponents"/>.
/// </summary>
internal sealed class RecoveryInstruments
{
    private static readonly ConditionalWeakTable<Meter, RecoveryInstruments> ByMeter = new();

    private static readonly GaugeDefinition<RecoveryWorkflow> InProgress = GaugeDefinition<RecoveryWorkflow>.UpDownCounter(
        RecoveryTelemetryNames.RunsInProgress,
        "{run}",
        "Recovery runs in progress.",
        static w => w.CurrentRun is null ? 0 : 1,
        RecoveryTelemetryNames.WorkflowTag,
        static w => w.Name);

    private readonly ResilienceInstruments _shared;

    private RecoveryInstruments(Meter meter, ResilienceInstruments shared)
    {
        _shared = shared;
        Runs = meter.CreateCounter<long>(RecoveryTelemetryNames.Runs, "{run}", "Finished recovery runs (tag outcome).");
        Duration = meter.CreateHistogram<double>(RecoveryTelemetryNames.RunDuration, "ms", "Duration of recovery runs.");
        Steps = meter.CreateCounter<long>(RecoveryTelemetryNames.Steps, "{step}", "Finished recovery steps (tag outcome).");
    }

    public Counter<long> Runs { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Steps { get; }

    public static RecoveryInstruments For(IMeterFactory? meterFactory)
    {
        var shared = meterFactory is null ? ResilienceInstruments.Shared : ResilienceInstruments.For(meterFactory.Create(ResilienceTelemetryNames.Meter));

        // The library's instruments are reached through the meter they were created on: one set per meter.
        return ByMeter.GetValue(shared.Events.Meter, m => new RecoveryInstruments(m, shared));
    }

    public void Observe(RecoveryWorkflow workflow) => _shared.Live.Observe(InProgress, workflow);
}
