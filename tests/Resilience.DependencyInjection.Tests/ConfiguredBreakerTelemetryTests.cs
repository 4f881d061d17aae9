using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Resilience.DependencyInjection.Tests.TestUtils;
using Resilience.Telemetry;

namespace Resilience.DependencyInjection.Tests;

/// <summary>Issue 18, point 1: a pipeline built from configuration logs and counts its breaker's transitions, tagged with the pipeline.</summary>
public class ConfiguredBreakerTelemetryTests
{
    [Fact]
    public async Task ConfiguredBreaker_Transitions_AreLoggedAndTaggedWithThePipeline()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:CircuitBreaker:ConsecutiveFailureThreshold"] = "1",
            ["P:CircuitBreaker:BreakDuration"] = "00:10:00",
        }).Build();
        var logger = new FakeLogger();
        using var meters = new ScopedMeterFactory();
        await using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddSingleton<IMeterFactory>(meters)
            .AddResiliencePipeline("stock-api", configuration.GetSection("P"))
            .BuildServiceProvider();
        using var transitions = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, "resilience.circuit_breaker.transitions");
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("stock-api");

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();

        logger.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("OnCircuitOpened", StringComparison.Ordinal));
        var opened = transitions.GetMeasurementSnapshot().Should().ContainSingle().Which;
        opened.Tags[ResilienceTelemetryNames.PipelineTag].Should().Be("stock-api");
    }
}
