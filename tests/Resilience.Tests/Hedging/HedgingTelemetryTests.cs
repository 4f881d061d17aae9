using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Resilience.Hedging;
using Resilience.Telemetry;
using Resilience.Tests.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Hedging;

[Collection(TelemetryListenersDefinition.Name)]
public class HedgingTelemetryTests
{
    [Fact]
    public async Task HedgedAttempts_AreCountedOnTheFamilyTheStrategyDeclares()
    {
        using var meters = new TestMeterFactory();
        using var family = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, "resilience.hedging.hedges");
        using var pipeline = new ResiliencePipelineBuilder<int> { Name = "hedged", MeterFactory = meters }
            .AddHedging(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 2, Delay = TimeSpan.Zero })
            .Build();
        var calls = 0;

        await pipeline.ExecuteOutcomeAsync((_, _) => Interlocked.Increment(ref calls) < 3 ? throw new IOException() : new ValueTask<int>(1), 0);

        family.GetMeasurementSnapshot().Should().HaveCount(2).And.OnlyContain(m => Equals(m.Tags[ResilienceTelemetryNames.EventTag], "OnHedging"));
    }
}
