using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.Telemetry;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Issue 18, points 3 and 4: the dead letter queue logs what it does (stable ids, structured fields), warns once per
/// operation type with no handler and reports it in its statistics, and its size gauge says which queue and which status.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class DeadLetterObservabilityTests
{
    private static readonly DeadLetterError Error = new() { Type = "System.IO.IOException", Message = "down" };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();

    [Fact]
    public async Task Processor_LogsEnqueueAttemptRecoveredExhaustedAndPaused()
    {
        await using var queue = Open(o =>
        {
            o.MaxAttempts = 2;
            o.PauseAfterConsecutiveFailures = 2;
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
        });
        queue.RegisterHandler("works", (_, _) => default);
        queue.RegisterHandler("fails", (_, _) => throw new InvalidOperationException("still down"));
        var works = await queue.AddAsync("works", "x"u8.ToArray(), Error);
        var fails = await queue.AddAsync("fails", "x"u8.ToArray(), Error);

        queue.Processor.Start();
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(2));
            await queue.Processor.WaitForIdleAsync();
        }

        var records = _logger.Collector.GetSnapshot();
        records.Should().Contain(r => r.Id.Name == "DeadLetterEnqueued" && r.GetStructuredStateValue("EntryId") == works.Id && r.GetStructuredStateValue("OperationType") == "works" && r.GetStructuredStateValue("QueueName") == "orders");
        records.Should().Contain(r => r.Id.Name == "DeadLetterRecovered" && r.GetStructuredStateValue("EntryId") == works.Id && r.GetStructuredStateValue("AttemptNumber") == "1");
        records.Should().Contain(r => r.Id.Name == "DeadLetterAttemptFailed" && r.Level == LogLevel.Warning && r.GetStructuredStateValue("EntryId") == fails.Id && r.GetStructuredStateValue("AttemptNumber") == "1" && r.Exception is InvalidOperationException);
        records.Should().Contain(r => r.Id.Name == "DeadLetterExhausted" && r.Level == LogLevel.Error && r.GetStructuredStateValue("EntryId") == fails.Id && r.GetStructuredStateValue("AttemptNumber") == "2");
        records.Should().Contain(r => r.Id.Name == "DeadLetterOperationTypePaused" && r.GetStructuredStateValue("OperationType") == "fails");
        records.Select(r => r.Id.Id).Distinct().Should().OnlyContain(id => id >= 20 && id < 40, "the dead letter ids are a block of their own");
    }

    [Fact]
    public async Task OperationTypeWithoutHandler_IsWarnedOnceAndListedInStatistics()
    {
        await using var queue = Open();
        await queue.AddAsync("orphan", "x"u8.ToArray(), Error);
        await queue.AddAsync("orphan", "y"u8.ToArray(), Error);

        queue.Processor.Start();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(2));
            await queue.Processor.WaitForIdleAsync();
        }

        _logger.Collector.GetSnapshot().Where(r => r.Id.Name == "DeadLetterNoHandler").Should().ContainSingle()
            .Which.GetStructuredStateValue("OperationType").Should().Be("orphan");
        queue.GetStatistics().OperationTypesWithoutHandler.Should().Equal("orphan");

        queue.RegisterHandler("orphan", (_, _) => default);
        queue.GetStatistics().OperationTypesWithoutHandler.Should().BeEmpty();
    }

    [Fact]
    public async Task SizeGauge_IsTaggedWithQueueAndStatus()
    {
        await using var queue = Open(o => o.MaxAttempts = 1);
        queue.RegisterHandler("works", (_, _) => default);
        await queue.AddAsync("works", "x"u8.ToArray(), Error);
        await queue.AddAsync("later", "x"u8.ToArray(), Error);
        queue.Processor.Start();
        _time.Advance(TimeSpan.FromMinutes(2));
        await queue.Processor.WaitForIdleAsync();
        using var size = new MetricCollector<int>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.DeadLetterSize);

        size.RecordObservableInstruments();

        var mine = size.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ResilienceTelemetryNames.QueueTag], "orders")).ToList();
        mine.Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.StatusTag], "Recovered") && m.Value == 1);
        mine.Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.StatusTag], "Pending") && m.Value == 1);
        mine.Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.StatusTag], "Exhausted") && m.Value == 0);
    }

    private DeadLetterQueue Open(Action<DeadLetterQueueOptions>? configure = null)
    {
        var options = new DeadLetterQueueOptions { Name = "orders", TimeProvider = _time, LoggerFactory = new OneLoggerFactory(_logger) };
        configure?.Invoke(options);
        return DeadLetterQueue.Open(options);
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
