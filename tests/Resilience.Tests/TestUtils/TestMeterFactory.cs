using System.Diagnostics.Metrics;

namespace Resilience.Tests.TestUtils;

/// <summary>
/// A meter factory like a container's: one meter per name, carrying the factory as its scope, disposed with it.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = _meters.Find(m => m.Name == options.Name);
        if (meter is null)
        {
            meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
