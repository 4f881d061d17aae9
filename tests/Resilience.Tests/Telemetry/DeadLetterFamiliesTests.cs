using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.Telemetry;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// The dead letter queue declares its own counters (once telemetry stopped hard-coding event names, they were gone).
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class DeadLetterFamiliesTests
{
    [Fact]
    public async Task EnqueueRecoverAndExhaust_AreCountedOnTheFamiliesTheQueueDeclares()
    {
        using var enqueued = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, "resilience.dead_letter.enqueued");
        using var recovered = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, "resilience.dead_letter.recovered");
        using var exhausted = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, "resilience.dead_letter.exhausted");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = time, MaxAttempts = 1 });
        queue.RegisterHandler("works", (_, _) => default);
        queue.RegisterHandler("fails", (_, _) => throw new InvalidOperationException("still down"));
        await queue.AddAsync("works", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        await queue.AddAsync("fails", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });

        queue.Processor.Start();
        time.Advance(TimeSpan.FromMinutes(5));
        await queue.Processor.WaitForIdleAsync();

        enqueued.GetMeasurementSnapshot().Should().HaveCount(2);
        recovered.GetMeasurementSnapshot().Should().ContainSingle();
        exhausted.GetMeasurementSnapshot().Should().ContainSingle();
    }
}
