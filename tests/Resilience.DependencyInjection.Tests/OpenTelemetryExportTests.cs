using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Resilience.DeadLetter;
using Resilience.DependencyInjection.Tests.TestUtils;
using Resilience.Telemetry;

namespace Resilience.DependencyInjection.Tests;

/// <summary>
/// Issue 18, point 5: the instruments and the activity as an application exports them, through the OpenTelemetry SDK
/// (the names docs/telemetry.md passes to AddMeter / AddSource), not only a MeterListener.
/// </summary>
public class OpenTelemetryExportTests
{
    [Fact]
    public async Task MetersAndActivities_AreExportedThroughTheOpenTelemetrySdk()
    {
        var metrics = new List<MetricSnapshot>();
        var activities = new List<Activity>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(ResilienceTelemetryNames.Meter).AddInMemoryExporter(metrics).Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(ResilienceTelemetryNames.ActivitySource).AddInMemoryExporter(activities).Build();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:Retry:MaxRetryAttempts"] = "1",
            ["P:Retry:BaseDelay"] = "00:00:00",
            ["P:CircuitBreaker:ConsecutiveFailureThreshold"] = "2",
        }).Build();
        using var meters = new ScopedMeterFactory();
        await using var services = new ServiceCollection()
            .AddSingleton<IMeterFactory>(meters)
            .AddResiliencePipeline("otel-api", configuration.GetSection("P"))
            .AddDeadLetterQueue(o => o.Name = "otel-queue")
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("otel-api");
        var queue = services.GetRequiredService<DeadLetterQueue>();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<Exception>();
        await queue.AddAsync("charge", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();

        Points(metrics, ResilienceTelemetryNames.Attempts, "pipeline", "otel-api").Should().OnlyContain(t => Equals(t["outcome"], "failure")).And.NotBeEmpty();
        Points(metrics, ResilienceTelemetryNames.PipelineDuration, "pipeline", "otel-api").Should().NotBeEmpty();
        Points(metrics, "resilience.circuit_breaker.transitions", "pipeline", "otel-api").Should().Contain(t => Equals(t["event"], "OnCircuitOpened"));
        Points(metrics, ResilienceTelemetryNames.CircuitState, "breaker", "otel-api").Should().NotBeEmpty();
        Points(metrics, ResilienceTelemetryNames.DeadLetterSize, "queue", "otel-queue").Should().Contain(t => Equals(t["status"], "Pending"));
        metrics.Select(m => m.Name).Should().Contain("resilience.dead_letter.enqueued");
        activities.Should().Contain(a => a.OperationName == "resilience.pipeline" && Equals(a.GetTagItem("pipeline"), "otel-api"));
    }

    // The tags of every exported point of an instrument whose tag has the given value.
    private static List<Dictionary<string, object?>> Points(List<MetricSnapshot> metrics, string name, string tag, string value)
    {
        var points = new List<Dictionary<string, object?>>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.MetricPoints)
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var pair in point.Tags)
                {
                    tags[pair.Key] = pair.Value;
                }

                if (Equals(tags.GetValueOrDefault(tag), value))
                {
                    points.Add(tags);
                }
            }
        }

        return points;
    }
}
