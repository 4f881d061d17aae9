using System.Diagnostics.Metrics;

namespace Resilience.Telemetry;

/// <summary>
/// The live components one meter's gauges report, registered by the components themselves (through their
/// <see cref="ResilienceTelemetry"/>), held weakly and read only when a listener observes. One per
/// <see cref="ResilienceInstruments"/>, so a container's meter reports what that container built, not the whole process.
/// </summary>
internal sealed class LiveComponents
{
    private readonly Lock _lock = new();
    private readonly Meter _meter;
    private readonly Dictionary<string, List<Entry>> _byInstrument = new(StringComparer.Ordinal);

    public LiveComponents(Meter meter) => _meter = meter;

    /// <summary>Reports <paramref name="component"/> on <paramref name="gauge"/> for as long as it lives; registering twice is harmless.</summary>
    public void Observe<T>(GaugeDefinition<T> gauge, T component)
        where T : class
    {
        lock (_lock)
        {
            if (!_byInstrument.TryGetValue(gauge.Name, out var entries))
            {
                entries = [];
                _byInstrument.Add(gauge.Name, entries);
                Publish(gauge, entries);
            }

            entries.RemoveAll(static e => !e.Component.TryGetTarget(out _));
            if (!entries.Exists(e => e.Component.TryGetTarget(out var known) && ReferenceEquals(known, component)))
            {
                entries.Add(new Entry(new WeakReference<object>(component), gauge));
            }
        }
    }

    // Created on the first registration, so a meter publishes only the instruments something reports to.
    private void Publish(GaugeDefinition gauge, List<Entry> entries)
    {
        if (gauge.IsUpDownCounter)
        {
            _meter.CreateObservableUpDownCounter(gauge.Name, () => Measure(entries), gauge.Unit, gauge.Description);
        }
        else
        {
            _meter.CreateObservableGauge(gauge.Name, () => Measure(entries), gauge.Unit, gauge.Description);
        }
    }

    // The components are read outside the lock: a reading may take a while (a dead letter queue counts its entries
    // by status) and must not hold up a pipeline registering its breaker meanwhile.
    private List<Measurement<int>> Measure(List<Entry> entries)
    {
        Entry[] snapshot;
        lock (_lock)
        {
            snapshot = [.. entries];
        }

        var measurements = new List<Measurement<int>>(snapshot.Length);
        foreach (var entry in snapshot)
        {
            if (entry.Component.TryGetTarget(out var component))
            {
                entry.Gauge.MeasureInto(component, measurements);
            }
        }

        return measurements;
    }

    private readonly record struct Entry(WeakReference<object> Component, GaugeDefinition Gauge);
}
