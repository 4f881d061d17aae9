using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Resilience.DependencyInjection.Tests.TestUtils;
using Resilience.Retry;
using Resilience.Telemetry;

namespace Resilience.DependencyInjection.Tests;

public class TelemetryWiringTests
{
    [Fact]
    public async Task Pipeline_UsesTheContainersLoggerAndMeterFactory()
    {
        var logger = new FakeLogger();
        using var meters = new ScopedMeterFactory();
        await using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddSingleton<IMeterFactory>(meters)
            .AddResiliencePipeline("orders-api", (builder, _) => builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                BaseDelay = TimeSpan.Zero,
                OnRetry = _ => throw new InvalidOperationException("handler bug"),
            }))
            .BuildServiceProvider();
        using var events = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Events);
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("orders-api");

        // A throwing event callback fails the call (the one rule for user callbacks), after it was reported.
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<InvalidOperationException>();

        events.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Equal("OnRetry");
        var records = logger.Collector.GetSnapshot();
        records.Should().Contain(r => r.Id.Id == 3 && r.Message.Contains("Retry 1", StringComparison.Ordinal) && r.Message.Contains("orders-api", StringComparison.Ordinal), "a retry is logged with its details (event id 3)");
        records.Should().Contain(r => r.Id.Id == 2 && r.Level == LogLevel.Warning && r.Exception is InvalidOperationException);
    }
}
