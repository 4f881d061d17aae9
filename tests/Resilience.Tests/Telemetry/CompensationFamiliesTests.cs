using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Resilience.Compensation;
using Resilience.Telemetry;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// The compensation manager declares its own counters, as strategies do.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class CompensationFamiliesTests
{
    [Fact]
    public async Task CompensationRun_IsCountedOnTheFamilyTheManagerDeclares()
    {
        using var executed = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, "resilience.compensation.executed");
        await using var manager = new CompensationManager();
        manager.Register("order-families", () => { });

        await manager.CompensateAsync("order-families");

        executed.GetMeasurementSnapshot().Should().NotBeEmpty();
    }
}
