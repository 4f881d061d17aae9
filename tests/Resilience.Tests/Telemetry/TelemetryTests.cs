using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Telemetry;

namespace Resilience.Tests.Telemetry;

public class TelemetryTests
{
    [Fact]
    public async Task ThrowingCallback_IsReportedOnCallbackFailuresNotToTheCaller()
    {
        using var failures = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.CallbackFailures);
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-cb" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, OnOpened = _ => throw new InvalidOperationException("handler bug") })
            .Build();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException("real")).AsTask()).Should().ThrowAsync<IOException>();

        var measurement = failures.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-cb")).Subject;
        measurement.Tags[ResilienceTelemetryNames.EventTag].Should().Be("OnCircuitOpened");
        measurement.Tags[ResilienceTelemetryNames.ExceptionTag].Should().Be(typeof(InvalidOperationException).FullName);
    }

    [Fact]
    public async Task StrategyEvents_AreCountedWithPipelineStrategyAndEventTags()
    {
        using var events = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Events);
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-retry" }
            .AddRetry(new RetryStrategyOptions { Name = "orders-retry", MaxRetryAttempts = 2, BaseDelay = TimeSpan.Zero })
            .Build();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();

        var ours = events.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-retry")).ToList();
        ours.Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Equal("OnRetry", "OnRetry", "OnRetriesExhausted");
        ours.Should().OnlyContain(m => Equals(m.Tags[ResilienceTelemetryNames.StrategyTag], "orders-retry"));
    }
}
