using Microsoft.Extensions.Time.Testing;
using Resilience.Recovery;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Recovery;

public sealed class PersistedHistoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reopen_ReadsBackEveryRunWithItsStepsAndFailures()
    {
        RecoveryRunRecord succeeded, failed;
        await using (var history = RecoveryHistory.Open(_dir.Path, timeProvider: _time))
        {
            var workflow = Workflow(history, fail: false);
            succeeded = await workflow.RunAsync(RecoveryTrigger.Manual, "ops@example.com");
            _time.Advance(TimeSpan.FromMinutes(1));
            failed = await Workflow(history, fail: true).RunAsync(RecoveryTrigger.Emergency);
        }

        await using var reopened = RecoveryHistory.Open(_dir.Path, timeProvider: _time);

        var runs = reopened.GetRuns("api-failure");
        runs.Select(r => (r.RunId, r.State, r.Trigger, r.TriggeredBy, r.StartedAt, r.EndedAt)).Should().Equal(
            (failed.RunId, RecoveryRunState.Failed, RecoveryTrigger.Emergency, null, failed.StartedAt, failed.EndedAt),
            (succeeded.RunId, RecoveryRunState.Succeeded, RecoveryTrigger.Manual, "ops@example.com", succeeded.StartedAt, succeeded.EndedAt));
        var error = runs[0].Error.Should().BeOfType<RecordedRecoveryFailureException>().Subject;
        error.OriginalType.Should().Be(typeof(HttpRequestException).FullName);
        error.Message.Should().Be("probe refused");
        runs[0].Steps.Select(s => (s.Name, s.Optional, s.Status, s.Attempts, s.Compensation)).Should().Equal(
            ("clear error cache", true, RecoveryStepStatus.Failed, 1, RecoveryCompensationStatus.None),
            ("reset breaker", false, RecoveryStepStatus.Succeeded, 1, RecoveryCompensationStatus.Succeeded),
            ("test connectivity", false, RecoveryStepStatus.Failed, 1, RecoveryCompensationStatus.None),
            ("restore operations", false, RecoveryStepStatus.NotRun, 0, RecoveryCompensationStatus.None));
        runs[0].Steps[0].Error.Should().BeOfType<RecordedRecoveryFailureException>().Which.Message.Should().Be("cache down");
        runs[0].Steps.Select(s => s.StartedAt).Should().Equal(failed.Steps.Select(s => s.StartedAt));
        var statistics = reopened.GetStatistics("api-failure").All;
        (statistics.Runs, statistics.Succeeded, statistics.Failed).Should().Be((2, 1, 1));
    }

    [Fact]
    public async Task Reopen_KeepsTheBoundAndTheNewestRuns()
    {
        var ids = new List<string>();
        await using (var history = RecoveryHistory.Open(_dir.Path, capacityPerWorkflow: 3, timeProvider: _time))
        {
            var workflow = Workflow(history, fail: false);
            for (var i = 0; i < 5; i++)
            {
                ids.Add((await workflow.RunAsync(RecoveryTrigger.Manual)).RunId);
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await using var reopened = RecoveryHistory.Open(_dir.Path, capacityPerWorkflow: 3, timeProvider: _time);

        reopened.GetRuns("api-failure").Select(r => r.RunId).Should().Equal(ids[4], ids[3], ids[2]);
    }

    [Fact]
    public async Task AfterARestart_TheRunPolicyCountsTheRunsBeforeIt()
    {
        await using (var history = RecoveryHistory.Open(_dir.Path, timeProvider: _time))
        {
            var workflow = Workflow(history, fail: true, policy: RecoveryRunPolicy.TimeWindow(2, TimeSpan.FromHours(1)));
            (await workflow.Trigger(RecoveryTrigger.Automatic).Run!.Completion).State.Should().Be(RecoveryRunState.Failed);
            (await workflow.Trigger(RecoveryTrigger.Automatic).Run!.Completion).State.Should().Be(RecoveryRunState.Failed);
        }

        await using var reopened = RecoveryHistory.Open(_dir.Path, timeProvider: _time);
        var restarted = Workflow(reopened, fail: true, policy: RecoveryRunPolicy.TimeWindow(2, TimeSpan.FromHours(1)));

        restarted.Trigger(RecoveryTrigger.Automatic).Status.Should().Be(RecoveryTriggerStatus.Deferred, "two runs in the last hour happened before the restart");
    }

    [Fact]
    public async Task ManyRuns_AreCompacted_TheFilesStayNearWhatTheHistoryKeeps()
    {
        await using (var history = RecoveryHistory.Open(_dir.Path, 2, _time, Resilience.DeadLetter.DurabilityMode.OsBuffered))
        {
            var workflow = Workflow(history, fail: true);
            for (var i = 0; i < 4000; i++)
            {
                await workflow.RunAsync(RecoveryTrigger.Manual);
            }
        }

        var snapshots = Directory.GetFiles(_dir.Path, "snap-*.bin");
        var segments = Directory.GetFiles(_dir.Path, "seg-*.log");
        await using var reopened = RecoveryHistory.Open(_dir.Path, capacityPerWorkflow: 2, timeProvider: _time);

        reopened.GetRuns("api-failure").Should().HaveCount(2);
        segments.Should().ContainSingle("the segments holding the 3.7 MB of runs were dropped once compacted");
        snapshots.Should().ContainSingle().Which.Should().Match(f => new FileInfo(f).Length < 8 * 1024, "the snapshot holds the two runs kept, about 1 KB each");
    }

    [Fact]
    public async Task SecondOpenOfTheSameDirectory_IsRefused()
    {
        await using var history = RecoveryHistory.Open(_dir.Path, timeProvider: _time);

        var act = () => RecoveryHistory.Open(_dir.Path, timeProvider: _time);

        act.Should().Throw<IOException>();
    }

    [Fact]
    public async Task InMemoryHistory_HasNoDirectory_AndForgetsOnANewInstance()
    {
        await using var history = new RecoveryHistory();
        await Workflow(history, fail: false).RunAsync(RecoveryTrigger.Manual);

        history.Directory.Should().BeNull();
        history.GetRuns("api-failure").Should().ContainSingle();
    }

    private RecoveryWorkflow Workflow(RecoveryHistory history, bool fail, RecoveryRunPolicy? policy = null)
    {
        var builder = new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time, History = history, RunPolicy = policy }
            .OptionalStep("clear error cache", _ => fail ? throw new InvalidOperationException("cache down") : default)
            .Step("reset breaker", _ => default, o => o.Compensation = _ => default)
            .Step("test connectivity", _ => fail ? throw new HttpRequestException("probe refused") : default)
            .Step("restore operations", _ => default);
        return builder.Build();
    }
}
