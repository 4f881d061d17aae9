using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Resilience.Retry;
using Resilience.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Issue 18, points 2 and 3: an attempt whose result the retry handles is a failure in the attempts counter, and each
/// retry is logged with its attempt number, delay and error.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class RetryAttemptTelemetryTests
{
    [Fact]
    public async Task HandledResult_IsCountedAsAFailedAttemptWithItsStatusAsErrorType()
    {
        using var meters = new TestMeterFactory();
        using var attempts = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Attempts);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = "http", MeterFactory = meters }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 1,
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = static o => o.Result?.StatusCode == HttpStatusCode.ServiceUnavailable,
            })
            .Build();

        using var response = await pipeline.ExecuteAsync(static _ => new ValueTask<HttpResponseMessage>(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));

        var snapshot = attempts.GetMeasurementSnapshot();
        snapshot.Should().HaveCount(2);
        snapshot.Should().OnlyContain(m => Equals(m.Tags[ResilienceTelemetryNames.OutcomeTag], "failure") && Equals(m.Tags[ResilienceTelemetryNames.ErrorTypeTag], "503"));
    }

    [Fact]
    public async Task UnhandledResult_IsASuccessfulAttempt()
    {
        using var meters = new TestMeterFactory();
        using var attempts = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Attempts);
        var pipeline = new ResiliencePipelineBuilder<int> { Name = "ints", MeterFactory = meters }
            .AddRetry(new RetryStrategyOptions<int> { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Result < 0 })
            .Build();

        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));

        var attempt = attempts.GetMeasurementSnapshot().Should().ContainSingle().Which;
        attempt.Tags[ResilienceTelemetryNames.OutcomeTag].Should().Be("success");
        attempt.Tags[ResilienceTelemetryNames.ErrorTypeTag].Should().BeNull();
    }

    [Fact]
    public async Task Retry_IsLoggedWithAttemptNumberDelayAndError()
    {
        var logger = new FakeLogger();
        using var loggers = new OneLoggerFactory(logger);
        var pipeline = new ResiliencePipelineBuilder { Name = "orders", LoggerFactory = loggers }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.Zero })
            .Build();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException("disk gone")).AsTask()).Should().ThrowAsync<IOException>();

        var retries = logger.Collector.GetSnapshot().Where(r => r.Id.Name == "Retrying").ToList();
        retries.Select(r => r.GetStructuredStateValue("AttemptNumber")).Should().Equal("1", "2");
        retries.Should().OnlyContain(r => r.Level == LogLevel.Warning
            && r.GetStructuredStateValue("DelayMs") == "0"
            && r.GetStructuredStateValue("ErrorType") == typeof(IOException).FullName
            && r.GetStructuredStateValue("PipelineName") == "orders"
            && r.Exception is IOException);
        logger.Collector.GetSnapshot().Should().NotContain(r => r.Id.Id == 1 && r.Message.Contains("OnRetry ", StringComparison.Ordinal), "the detailed message replaces the generic one");
    }

    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
