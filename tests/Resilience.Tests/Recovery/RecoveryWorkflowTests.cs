using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.Recovery;
using Resilience.Timeout;

namespace Resilience.Tests.Recovery;

public class RecoveryWorkflowTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _log = [];

    [Fact]
    public async Task RunAsync_RunsStepsInOrderAndRecordsEach()
    {
        var workflow = Builder()
            .Step("check health", Logged("check health"))
            .Step("reset breaker", Logged("reset breaker"))
            .Step("restore operations", Logged("restore operations"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Manual, "ops@example.com");

        _log.Should().Equal("check health", "reset breaker", "restore operations");
        workflow.StepNames.Should().Equal("check health", "reset breaker", "restore operations");
        record.State.Should().Be(RecoveryRunState.Succeeded);
        record.Trigger.Should().Be(RecoveryTrigger.Manual);
        record.TriggeredBy.Should().Be("ops@example.com");
        record.Steps.Select(s => (s.Name, s.Status, s.Attempts)).Should().Equal(
            ("check health", RecoveryStepStatus.Succeeded, 1),
            ("reset breaker", RecoveryStepStatus.Succeeded, 1),
            ("restore operations", RecoveryStepStatus.Succeeded, 1));
        workflow.State.Should().Be(RecoveryRunState.Idle);
        workflow.History.GetRuns("api-failure").Should().ContainSingle().Which.Should().BeSameAs(record);
    }

    [Fact]
    public async Task RunAsync_PropertyBagIsSharedBetweenSteps()
    {
        var workflow = Builder()
            .Step("first", ctx =>
            {
                ctx.Properties["token"] = "s3cret";
                return default;
            })
            .Step("second", ctx =>
            {
                _log.Add((string)ctx.Properties["token"]!);
                return default;
            })
            .Build();

        await workflow.RunAsync(RecoveryTrigger.Manual);

        _log.Should().Equal("s3cret");
    }

    [Fact]
    public async Task RunAsync_OptionalStepFails_RecordsItAndGoesOn()
    {
        var workflow = Builder()
            .Step("check health", Logged("check health"))
            .OptionalStep("clear error cache", _ => throw new InvalidOperationException("cache down"))
            .Step("reset breaker", Logged("reset breaker"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Succeeded);
        _log.Should().Equal("check health", "reset breaker");
        var optional = record.Steps[1];
        optional.Status.Should().Be(RecoveryStepStatus.Failed);
        optional.Optional.Should().BeTrue();
        optional.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("cache down");
        record.Error.Should().BeNull();
    }

    [Fact]
    public async Task RunAsync_RequiredStepFails_StopsAndNamesTheError()
    {
        var workflow = Builder()
            .Step("check health", Logged("check health"))
            .Step("reset breaker", _ => throw new InvalidOperationException("no breaker"))
            .Step("restore operations", Logged("restore operations"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Failed);
        record.Error.Should().BeOfType<InvalidOperationException>();
        _log.Should().Equal("check health");
        record.Steps.Select(s => s.Status).Should().Equal(RecoveryStepStatus.Succeeded, RecoveryStepStatus.Failed, RecoveryStepStatus.NotRun);
    }

    [Fact]
    public async Task Step_TimesOutThenSucceedsOnRetry()
    {
        var time = new SteppedFakeTime();
        var tokens = new List<CancellationToken>();
        var workflow = Builder(b => b.TimeProvider = time)
            .Step(
                "test connectivity",
                async ctx =>
                {
                    tokens.Add(ctx.CancellationToken);
                    _log.Add($"attempt {ctx.Attempt}");
                    if (ctx.Attempt == 1)
                    {
                        // Hangs until the step's timeout cancels it (on the token only: a fake 10-minute timer left armed
                        // until its cancellation is processed would be the next timer the stepped clock jumps to).
                        await HangUntilCancelledAsync(ctx.CancellationToken);
                    }
                },
                s =>
                {
                    s.Timeout = TimeSpan.FromSeconds(1);
                    s.MaxAttempts = 2;
                    s.RetryDelay = TimeSpan.FromSeconds(2);
                })
            .Build();

        var run = workflow.Trigger(RecoveryTrigger.Manual).Run!;
        await time.RunUntilAsync(run.Completion);
        var record = await run.Completion;

        record.State.Should().Be(RecoveryRunState.Succeeded);
        record.Steps[0].Attempts.Should().Be(2);
        _log.Should().Equal("attempt 1", "attempt 2");
        tokens[0].IsCancellationRequested.Should().BeTrue("the first attempt timed out");
        record.Duration.Should().Be(TimeSpan.FromSeconds(3), "a 1 s timeout then a 2 s retry delay");
    }

    [Fact]
    public async Task Step_TimesOutOnEveryAttempt_FailsWithTheTimeout()
    {
        var time = new SteppedFakeTime();
        var workflow = Builder(b => b.TimeProvider = time)
            .Step(
                "test connectivity",
                ctx => new ValueTask(HangUntilCancelledAsync(ctx.CancellationToken)),
                s =>
                {
                    s.Timeout = TimeSpan.FromSeconds(1);
                    s.MaxAttempts = 3;
                    s.RetryDelay = TimeSpan.FromSeconds(1);
                })
            .Build();

        var run = workflow.Trigger(RecoveryTrigger.Manual).Run!;
        await time.RunUntilAsync(run.Completion);
        var record = await run.Completion;

        record.State.Should().Be(RecoveryRunState.Failed);
        record.Duration.Should().Be(TimeSpan.FromSeconds(6), "three 1 s timeouts with 1 s and 2 s retry delays between");
        record.Steps[0].Attempts.Should().Be(3);
        record.Steps[0].Error.Should().BeOfType<TimeoutRejectedException>();
    }

    [Fact]
    public async Task RequiredStepFails_CompensatesCompletedStepsLastFirst()
    {
        var workflow = Builder()
            .Step("lower request rate", Logged("lower request rate"), s => s.Compensation = Logged("restore request rate"))
            .Step("pause consumers", Logged("pause consumers"), s => s.Compensation = Logged("resume consumers"))
            .Step("check health", Logged("check health"))
            .Step("rebuild cache", _ => throw new InvalidOperationException("rebuild failed"), s => s.Compensation = Logged("never: it did not complete"))
            .Step("restore operations", Logged("restore operations"), s => s.Compensation = Logged("never: it did not run"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Automatic);

        _log.Should().Equal("lower request rate", "pause consumers", "check health", "resume consumers", "restore request rate");
        record.State.Should().Be(RecoveryRunState.Failed);
        record.Steps.Select(s => s.Compensation).Should().Equal(
            RecoveryCompensationStatus.Succeeded,
            RecoveryCompensationStatus.Succeeded,
            RecoveryCompensationStatus.None,
            RecoveryCompensationStatus.None,
            RecoveryCompensationStatus.None);
    }

    [Fact]
    public async Task Succeeds_NothingIsCompensated()
    {
        var workflow = Builder()
            .Step("lower request rate", Logged("lower request rate"), s => s.Compensation = Logged("restore request rate"))
            .Step("check health", Logged("check health"))
            .Build();

        await workflow.RunAsync(RecoveryTrigger.Manual);

        _log.Should().Equal("lower request rate", "check health");
    }

    [Fact]
    public async Task CompensationFails_IsRecordedAndTheOthersStillRun()
    {
        var manager = new CompensationManager(new CompensationOptions { TimeProvider = _time, MaxAttempts = 1 });
        var workflow = Builder(b => b.CompensationManager = manager)
            .Step("a", Logged("a"), s => s.Compensation = Logged("undo a"))
            .Step("b", Logged("b"), s => s.Compensation = _ => throw new InvalidOperationException("undo b failed"))
            .Step("c", _ => throw new InvalidOperationException("c failed"))
            .Build();

        var record = await workflow.RunAsync(RecoveryTrigger.Manual);

        _log.Should().Equal("a", "b", "undo a");
        record.Steps[0].Compensation.Should().Be(RecoveryCompensationStatus.Succeeded);
        record.Steps[1].Compensation.Should().Be(RecoveryCompensationStatus.Failed);
        record.Steps[1].CompensationError!.Message.Should().Be("undo b failed");
    }

    [Fact]
    public async Task Trigger_WhileRunning_ReturnsTheRunningRun()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starts = 0;
        var workflow = Builder()
            .Step("wait", async _ =>
            {
                starts++;
                await release.Task;
            })
            .Build();

        var first = workflow.Trigger(RecoveryTrigger.Automatic, "monitor");
        var second = workflow.Trigger(RecoveryTrigger.Manual, "ops");
        var third = workflow.Trigger(RecoveryTrigger.Emergency, "ops");

        first.Status.Should().Be(RecoveryTriggerStatus.Started);
        second.Status.Should().Be(RecoveryTriggerStatus.AlreadyRunning);
        third.Status.Should().Be(RecoveryTriggerStatus.AlreadyRunning);
        second.Run.Should().BeSameAs(first.Run);
        third.Run.Should().BeSameAs(first.Run);
        workflow.CurrentRun.Should().BeSameAs(first.Run);
        first.Run!.State.Should().Be(RecoveryRunState.InProgress);
        first.Run.CurrentStep.Should().Be("wait");

        release.SetResult();
        var record = await first.Run.Completion;

        starts.Should().Be(1);
        record.TriggeredBy.Should().Be("monitor");
        first.Run.State.Should().Be(RecoveryRunState.Succeeded);
        workflow.CurrentRun.Should().BeNull();
        workflow.History.GetRuns("api-failure").Should().ContainSingle();

        workflow.Trigger(RecoveryTrigger.Manual).Status.Should().Be(RecoveryTriggerStatus.Started, "the run ended, so a new one may start");
    }

    public static TheoryData<int> StepIndexes() => [0, 1, 2];

    [Theory]
    [MemberData(nameof(StepIndexes))]
    public async Task Cancelled_WhileAStepRuns_StopsThereAndCompensatesTheCompletedSteps(int cancelledAt)
    {
        using var cancellation = new CancellationTokenSource();
        var builder = Builder();
        for (var i = 0; i < 3; i++)
        {
            var name = $"step {i}";
            var index = i;
            builder.Step(
                name,
                async ctx =>
                {
                    _log.Add(name);
                    if (index == cancelledAt)
                    {
                        await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ctx.TimeProvider, ctx.CancellationToken);
                    }
                },
                s => s.Compensation = Logged($"undo {name}"));
        }

        var workflow = builder.Build();
        var run = workflow.Trigger(RecoveryTrigger.Manual, cancellationToken: cancellation.Token).Run!;
        run.CurrentStep.Should().Be($"step {cancelledAt}");

        await cancellation.CancelAsync();
        var record = await run.Completion;

        record.State.Should().Be(RecoveryRunState.Cancelled);
        var expected = Enumerable.Range(0, cancelledAt + 1).Select(i => $"step {i}")
            .Concat(Enumerable.Range(0, cancelledAt).Reverse().Select(i => $"undo step {i}"));
        _log.Should().Equal(expected);
        for (var i = 0; i < 3; i++)
        {
            record.Steps[i].Status.Should().Be(i < cancelledAt ? RecoveryStepStatus.Succeeded : i == cancelledAt ? RecoveryStepStatus.Cancelled : RecoveryStepStatus.NotRun);
            record.Steps[i].Compensation.Should().Be(i < cancelledAt ? RecoveryCompensationStatus.Succeeded : RecoveryCompensationStatus.None);
        }
    }

    public static TheoryData<int> StepsBeforeTheLast() => [0, 1];

    [Theory]
    [MemberData(nameof(StepsBeforeTheLast))]
    public async Task Cancelled_BetweenSteps_NoFurtherStepStarts(int cancelledAfter)
    {
        var builder = Builder();
        for (var i = 0; i < 3; i++)
        {
            var name = $"step {i}";
            var index = i;
            builder.Step(
                name,
                ctx =>
                {
                    _log.Add(name);
                    if (index == cancelledAfter)
                    {
                        // The step itself completes; the run is cancelled before the next one.
                        ctx.Run.Cancel();
                    }

                    return default;
                },
                s => s.Compensation = Logged($"undo {name}"));
        }

        var record = await builder.Build().RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Cancelled);
        var expected = Enumerable.Range(0, cancelledAfter + 1).Select(i => $"step {i}")
            .Concat(Enumerable.Range(0, cancelledAfter + 1).Reverse().Select(i => $"undo step {i}"));
        _log.Should().Equal(expected);
        record.Steps.Skip(cancelledAfter + 1).Should().OnlyContain(s => s.Status == RecoveryStepStatus.NotRun);
    }

    [Fact]
    public async Task Cancelled_AfterTheLastStepCompleted_TheRunSucceeded()
    {
        var record = await Builder()
            .Step("only", ctx =>
            {
                ctx.Run.Cancel();
                return default;
            }, s => s.Compensation = Logged("undo only"))
            .Build()
            .RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Succeeded, "every step completed before anything observed the cancellation");
        _log.Should().BeEmpty();
    }

    [Fact]
    public void Build_MaxRetryDelayShorterThanRetryDelay_NamesIt()
    {
        var build = () => Builder().Step("probe", _ => default, s =>
        {
            s.MaxAttempts = 2;
            s.RetryDelay = TimeSpan.FromMinutes(1);
        }).Build();

        build.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RecoveryStepOptions.MaxRetryDelay (workflow 'api-failure', step 'probe')*RetryDelay*");
    }

    [Fact]
    public async Task Cancelled_DuringARetryDelay_DoesNotRetry()
    {
        var workflow = Builder()
            .Step("flaky", ctx => throw new InvalidOperationException($"attempt {ctx.Attempt}"), s =>
            {
                s.MaxAttempts = 5;
                s.RetryDelay = TimeSpan.FromMinutes(1);
                s.MaxRetryDelay = TimeSpan.FromMinutes(1);
            })
            .Build();

        var run = workflow.Trigger(RecoveryTrigger.Manual).Run!;
        run.Cancel();
        var record = await run.Completion;

        record.State.Should().Be(RecoveryRunState.Cancelled);
        record.Steps[0].Attempts.Should().Be(1);
    }

    [Fact]
    public async Task History_KeepsOnlyTheNewestRuns()
    {
        var workflow = Builder(b => b.HistoryCapacity = 3).Step("noop", _ => default).Build();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await workflow.RunAsync(RecoveryTrigger.Manual)).RunId);
        }

        workflow.History.GetRuns("api-failure").Select(r => r.RunId).Should().Equal(ids[4], ids[3], ids[2]);
        workflow.GetStatistics().All.Runs.Should().Be(3);
    }

    [Fact]
    public async Task History_SharedByWorkflows_BoundsEachOnItsOwn()
    {
        var history = new RecoveryHistory(capacityPerWorkflow: 2);
        var noisy = new RecoveryWorkflowBuilder("noisy") { TimeProvider = _time, History = history }.Step("noop", _ => default).Build();
        var quiet = new RecoveryWorkflowBuilder("quiet") { TimeProvider = _time, History = history }.Step("noop", _ => default).Build();

        await quiet.RunAsync(RecoveryTrigger.Manual);
        for (var i = 0; i < 5; i++)
        {
            await noisy.RunAsync(RecoveryTrigger.Automatic);
        }

        history.GetRuns("noisy").Should().HaveCount(2);
        history.GetRuns("quiet").Should().HaveCount(1);
        history.WorkflowNames.Should().Equal("noisy", "quiet");
    }

    [Fact]
    public async Task Statistics_SuccessRateMeanAndP95_ByTrigger()
    {
        var seconds = 0;
        var workflow = Builder()
            .Step("work", _ =>
            {
                _time.Advance(TimeSpan.FromSeconds(seconds));
                return seconds % 4 == 0 ? throw new InvalidOperationException("every fourth fails") : default;
            })
            .Build();

        for (seconds = 1; seconds <= 20; seconds++)
        {
            await workflow.RunAsync(seconds <= 10 ? RecoveryTrigger.Automatic : RecoveryTrigger.Manual);
        }

        var statistics = workflow.GetStatistics();
        statistics.All.Runs.Should().Be(20);
        statistics.All.Failed.Should().Be(5);
        statistics.All.SuccessRate.Should().Be(0.75);
        statistics.All.MeanDuration.Should().Be(TimeSpan.FromSeconds(10.5));
        statistics.All.P95Duration.Should().Be(TimeSpan.FromSeconds(19));
        statistics.ByTrigger[RecoveryTrigger.Automatic].Runs.Should().Be(10);
        statistics.ByTrigger[RecoveryTrigger.Automatic].Failed.Should().Be(2);
        statistics.ByTrigger[RecoveryTrigger.Automatic].MeanDuration.Should().Be(TimeSpan.FromSeconds(5.5));
        statistics.ByTrigger[RecoveryTrigger.Manual].P95Duration.Should().Be(TimeSpan.FromSeconds(20));
        statistics.ByTrigger.Should().NotContainKey(RecoveryTrigger.Emergency);
    }

    [Fact]
    public void Build_InvalidOptions_NameTheWorkflowStepAndOption()
    {
        var timeout = () => Builder().Step("probe", _ => default, s => s.Timeout = TimeSpan.Zero).Build();
        timeout.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RecoveryStepOptions.Timeout (workflow 'api-failure', step 'probe')*");

        var tooLong = () => Builder().Step("probe", _ => default, s => s.Timeout = TimeSpan.FromDays(2)).Build();
        tooLong.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RecoveryStepOptions.Timeout (workflow 'api-failure', step 'probe')*at most*");

        var attempts = () => Builder().Step("probe", _ => default, s => s.MaxAttempts = 0).Build();
        attempts.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RecoveryStepOptions.MaxAttempts (workflow 'api-failure', step 'probe')*");

        var duplicate = () => Builder().Step("probe", _ => default).Step("probe", _ => default).Build();
        duplicate.Should().Throw<ArgumentException>().WithMessage("*two steps are named 'probe'*");

        var empty = () => Builder().Build();
        empty.Should().Throw<ArgumentException>().WithMessage("*'api-failure' has no step*");
    }

    private RecoveryWorkflowBuilder Builder(Action<RecoveryWorkflowBuilder>? configure = null)
    {
        var builder = new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time };
        configure?.Invoke(builder);
        return builder;
    }

    private Func<RecoveryStepContext, ValueTask> Logged(string entry) => _ =>
    {
        _log.Add(entry);
        return default;
    };

    private static async Task HangUntilCancelledAsync(CancellationToken cancellationToken)
    {
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), hung))
        {
            await hung.Task;
        }
    }
}
