using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Resilience.Telemetry;

namespace Resilience.DependencyInjection.Tests;

public class ConfigurationReloadTests
{
    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("not a duration")]
    public async Task Reload_InvalidChange_KeepsThePipelineAndLogsTheBadKey(string baseDelay)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:Retry:MaxRetryAttempts"] = "1",
            ["P:Retry:BaseDelay"] = "00:00:00",
        }).Build();
        var logger = new FakeLogger();
        await using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddResiliencePipeline("p", configuration.GetSection("P"))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("p");

        configuration["P:Retry:MaxRetryAttempts"] = "5";
        configuration["P:Retry:BaseDelay"] = baseDelay;
        var reload = configuration.Reload;
        reload.Should().NotThrow("a bad edit of a configuration file must not take the application down");

        var calls = 0;
        await pipeline.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<IOException>();
        calls.Should().Be(2, "the previous pipeline (one retry) stays");
        logger.Collector.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Message.Contains("P:Retry:BaseDelay", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfiguredPipeline_UsesTheContainersMeterFactory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["P:AttemptTimeout"] = "00:00:05" }).Build();
        using var meters = new ScopedMeterFactory();
        await using var services = new ServiceCollection()
            .AddSingleton<IMeterFactory>(meters)
            .AddResiliencePipeline("p", configuration.GetSection("P"))
            .BuildServiceProvider();
        using var durations = new MetricCollector<double>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.PipelineDuration);

        await services.GetRequiredKeyedService<ResiliencePipeline>("p").ExecuteAsync(static _ => new ValueTask<int>(1));

        durations.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "p"));
    }

    [Fact]
    public async Task ConfiguredBreaker_ReportsItsTransitionsToTheContainersMeterAndLogger()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:CircuitBreaker:ConsecutiveFailureThreshold"] = "1",
        }).Build();
        using var meters = new ScopedMeterFactory();
        var logger = new FakeLogger();
        await using var services = new ServiceCollection()
            .AddSingleton<IMeterFactory>(meters)
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddResiliencePipeline("p", configuration.GetSection("P"))
            .BuildServiceProvider();
        using var events = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Events);

        await services.GetRequiredKeyedService<ResiliencePipeline>("p").ExecuteOutcomeAsync(static (_, _) => ValueTask.FromException<int>(new IOException()), 0);

        events.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Contain("OnCircuitOpened");
        logger.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("OnCircuitOpened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegistryBreaker_ReportsItsTransitionsToTheContainersMeter()
    {
        using var meters = new ScopedMeterFactory();
        await using var services = new ServiceCollection()
            .AddSingleton<IMeterFactory>(meters)
            .AddCircuitBreakerRegistry()
            .AddResiliencePipeline("p", (builder, context) => builder.AddCircuitBreaker(
                context.Services.GetRequiredService<Resilience.CircuitBreaker.CircuitBreakerRegistry>().GetOrAdd("orders", new() { ConsecutiveFailureThreshold = 1 })))
            .BuildServiceProvider();
        using var events = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Events);

        await services.GetRequiredKeyedService<ResiliencePipeline>("p").ExecuteOutcomeAsync(static (_, _) => ValueTask.FromException<int>(new IOException()), 0);

        events.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Contain("OnCircuitOpened");
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class ScopedMeterFactory : IMeterFactory
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
}
