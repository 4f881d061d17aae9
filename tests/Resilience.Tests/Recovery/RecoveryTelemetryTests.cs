using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Recovery;
using Resilience.Telemetry;
using Resilience.Tests.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Recovery;

[Collection(TelemetryListenersDefinition.Name)]
public class RecoveryTelemetryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Run_LogsEachRunAndStepWithStableIds_AndNeverTheProperties()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)));
        var workflow = new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time, LoggerFactory = loggerFactory }
            .Step("login", ctx =>
            {
                ctx.Properties["password"] = "hunter2";
                return default;
            })
            .OptionalStep("clear cache", _ => throw new InvalidOperationException("cache down"))
            .Step("reset breaker", _ => throw new InvalidOperationException("no breaker"))
            .Build();

        await workflow.RunAsync(RecoveryTrigger.Manual, "ops");

        collector.GetSnapshot().Select(r => r.Id.Id).Should().Equal(300, 304, 305, 304, 307, 304, 306, 302);
        collector.GetSnapshot().Should().OnlyContain(r => r.Category == "Resilience.Recovery");
        collector.GetSnapshot().Should().NotContain(r => r.Message.Contains("hunter2"));
        collector.GetSnapshot()[0].Message.Should().Contain("api-failure").And.Contain("Manual").And.Contain("ops");
    }

    [Fact]
    public async Task Run_ReportsRunsByOutcomeDurationAndInProgress()
    {
        using var meters = new TestMeterFactory();
        using var runs = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, RecoveryTelemetryNames.Runs);
        using var durations = new MetricCollector<double>(meters, ResilienceTelemetryNames.Meter, RecoveryTelemetryNames.RunDuration);
        using var inProgress = new MetricCollector<int>(meters, ResilienceTelemetryNames.Meter, RecoveryTelemetryNames.RunsInProgress);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workflow = new RecoveryWorkflowBuilder("telemetry-wf") { TimeProvider = _time, MeterFactory = meters }
            .Step("work", async _ =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                await release.Task;
            })
            .Build();

        var run = workflow.Trigger(RecoveryTrigger.Automatic).Run!;
        inProgress.RecordObservableInstruments();
        inProgress.LastMeasurement!.Value.Should().Be(1);
        inProgress.LastMeasurement.Tags[RecoveryTelemetryNames.WorkflowTag].Should().Be("telemetry-wf");
        release.SetResult();
        await run.Completion;
        inProgress.RecordObservableInstruments();
        inProgress.LastMeasurement!.Value.Should().Be(0);

        var counted = runs.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        counted.Tags[RecoveryTelemetryNames.OutcomeTag].Should().Be("succeeded");
        counted.Tags[RecoveryTelemetryNames.TriggerTag].Should().Be("Automatic");
        durations.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(2000);
    }

    [Fact]
    public async Task Run_IsAnActivityWithAChildPerStep()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ResilienceTelemetryNames.ActivitySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var workflow = new RecoveryWorkflowBuilder("activity-wf") { TimeProvider = _time }
            .Step("one", _ => default)
            .Step("two", _ => throw new InvalidOperationException("down"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Manual);

        Activity[] mine;
        lock (stopped)
        {
            mine = [.. stopped.Where(a => (string?)a.GetTagItem(RecoveryTelemetryNames.WorkflowTag) == "activity-wf")];
        }

        var run = mine.Should().ContainSingle(a => a.OperationName == RecoveryTelemetryNames.RunActivity).Subject;
        run.GetTagItem(RecoveryTelemetryNames.RunIdTag).Should().Be(record.RunId);
        run.Status.Should().Be(ActivityStatusCode.Error);
        var steps = mine.Where(a => a.OperationName == RecoveryTelemetryNames.StepActivity).ToList();
        steps.Select(s => s.GetTagItem(RecoveryTelemetryNames.StepTag)).Should().Equal("one", "two");
        steps.Should().OnlyContain(s => s.ParentSpanId == run.SpanId);
    }
}
