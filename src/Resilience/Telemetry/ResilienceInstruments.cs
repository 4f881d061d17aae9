using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Resilience.Telemetry;

/// <summary>
/// The instruments of one <see cref="Meter"/> (the shared one, or one per meter factory): the generic event counter,
/// the attempt counter, the pipeline duration histogram, the family counters the components declare
/// (<see cref="TelemetryEvent"/>) and the gauges of the live components registered with it (<see cref="LiveComponents"/>).
/// </summary>
internal sealed class ResilienceInstruments
{
    // Weak keys: a meter factory's meter (and with it its instruments) goes once nothing else holds it, for example
    // when its container is disposed; a strong dictionary kept one entry per container for the life of the process.
    private static readonly ConditionalWeakTable<Meter, ResilienceInstruments> ByMeter = new();

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, Counter<long>> _families = new(StringComparer.Ordinal);

    private ResilienceInstruments(Meter meter)
    {
        _meter = meter;
        Live = new LiveComponents(meter);
        Events = meter.CreateCounter<long>(ResilienceTelemetryNames.Events, "{event}", "Events raised by resilience strategies.");
        CallbackFailures = meter.CreateCounter<long>(ResilienceTelemetryNames.CallbackFailures, "{exception}", "Exceptions thrown by user callbacks of resilience strategies.");
        Attempts = meter.CreateCounter<long>(ResilienceTelemetryNames.Attempts, "{attempt}", "Attempts made by retry strategies (tag outcome).");
        PipelineDuration = meter.CreateHistogram<double>(ResilienceTelemetryNames.PipelineDuration, "ms", "Duration of pipeline executions.");
    }

    public static ResilienceInstruments Shared { get; } = For(new Meter(ResilienceTelemetryNames.Meter, typeof(ResilienceInstruments).Assembly.GetName().Version?.ToString()));

    public static ActivitySource ActivitySource { get; } = new(ResilienceTelemetryNames.ActivitySource, typeof(ResilienceInstruments).Assembly.GetName().Version?.ToString());

    public Counter<long> Events { get; }

    public Counter<long> CallbackFailures { get; }

    public Counter<long> Attempts { get; }

    public Histogram<double> PipelineDuration { get; }

    /// <summary>Gets the live components this meter's gauges report.</summary>
    public LiveComponents Live { get; }

    internal static int TrackedMeterCount => ByMeter.Count();

    public static ResilienceInstruments For(Meter meter) => ByMeter.GetValue(meter, static m => new ResilienceInstruments(m));

    /// <summary>The counter of an event's family, created on first use so a meter publishes only what something reported.</summary>
    public Counter<long> FamilyOf(TelemetryEvent declared)
        => _families.GetOrAdd(declared.CounterName, static (name, state) => state.Meter.CreateCounter<long>(name, state.Declared.Unit, state.Declared.Description), (Meter: _meter, Declared: declared));
}
