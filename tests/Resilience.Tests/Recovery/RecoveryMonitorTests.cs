using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.Tests.Recovery;

public class RecoveryMonitorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _unhealthy;
    private int _checks;
    private int _runs;

    [Fact]
    public async Task UnhealthySignal_TriggersItsWorkflowOnce_NotAgainWhileItRuns()
    {
        var workflow = BlockingWorkflow();
        await using var monitor = new RecoveryMonitor([workflow], Options(Signal()));
        monitor.Start();

        _time.Advance(TimeSpan.FromSeconds(10));
        _checks.Should().Be(1);
        workflow.CurrentRun.Should().BeNull("the signal is healthy");

        _unhealthy = true;
        _time.Advance(TimeSpan.FromSeconds(10));
        var run = workflow.CurrentRun;
        run.Should().NotBeNull();
        run!.Trigger.Should().Be(RecoveryTrigger.Automatic);
        run.TriggeredBy.Should().Be("orders-api: down");

        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        _checks.Should().Be(4);
        workflow.CurrentRun.Should().BeSameAs(run, "a run is in progress: no duplicate");
        _runs.Should().Be(1);

        _unhealthy = false;
        _release.SetResult();
        var record = await run.Completion;
        record.State.Should().Be(RecoveryRunState.Succeeded);

        _time.Advance(TimeSpan.FromSeconds(10));
        _runs.Should().Be(1, "the signal is healthy again");
        workflow.History.GetRuns("api-failure").Should().ContainSingle();
    }

    [Fact]
    public async Task StillUnhealthyAfterARun_TriggersAgainOnTheNextInterval()
    {
        var workflow = new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time }.Step("count", _ =>
        {
            _runs++;
            return default;
        }).Build();
        await using var monitor = new RecoveryMonitor([workflow], Options(Signal()));
        _unhealthy = true;
        monitor.Start();

        _time.Advance(TimeSpan.FromSeconds(10));
        await RecoveryTestClock.UntilAsync(() => workflow.History.GetRuns("api-failure").Count == 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        await RecoveryTestClock.UntilAsync(() => workflow.History.GetRuns("api-failure").Count == 2);

        _runs.Should().Be(2);
    }

    [Fact]
    public async Task CheckNowAsync_ThrowingSignal_IsSkippedAndTheOthersAreChecked()
    {
        var workflow = BlockingWorkflow();
        var broken = RecoverySignal.FromCheck("broken", "api-failure", _ => throw new InvalidOperationException("check failed"));
        await using var monitor = new RecoveryMonitor([workflow], Options(broken, Signal()));
        _unhealthy = true;

        var results = await monitor.CheckNowAsync();

        var started = results.Should().ContainSingle().Subject;
        started.Status.Should().Be(RecoveryTriggerStatus.Started);
        started.Run!.TriggeredBy.Should().Be("orders-api: down");
        _release.SetResult();
        await started.Run.Completion;
    }

    [Fact]
    public async Task StopAsync_CancelsTheRunsItStartedAndStopsChecking()
    {
        var workflow = new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time }
            .Step("wait", ctx => new ValueTask(Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ctx.TimeProvider, ctx.CancellationToken)))
            .Build();
        var monitor = new RecoveryMonitor([workflow], Options(Signal()));
        _unhealthy = true;
        monitor.Start();
        _time.Advance(TimeSpan.FromSeconds(10));
        var run = workflow.CurrentRun!;

        await monitor.StopAsync();

        run.Completion.IsCompleted.Should().BeTrue();
        (await run.Completion).State.Should().Be(RecoveryRunState.Cancelled);
        monitor.IsRunning.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(30));
        _checks.Should().Be(1);
    }

    [Fact]
    public async Task CircuitBreakerSignal_UnhealthyWhileNotClosed()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        var signal = RecoverySignal.CircuitBreaker(registry, "orders-api", "api-failure");

        (await signal.CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeFalse();
        await breaker.IsolateAsync();
        var seen = await signal.CheckAsync(CancellationToken.None);
        seen.IsUnhealthy.Should().BeTrue();
        seen.Description.Should().Contain("Isolated");
        signal.Name.Should().Be("circuit-breaker:orders-api");
    }

    [Fact]
    public async Task DeadLetterBacklogSignal_UnhealthyAtTheThreshold()
    {
        await using var queue = DeadLetterQueue.Create(new InMemoryDeadLetterStore(), new DeadLetterQueueOptions { TimeProvider = _time });
        var all = RecoverySignal.DeadLetterBacklog(queue, 2, "drain");
        var charges = RecoverySignal.DeadLetterBacklog(queue, 2, "drain", "charge-card");

        await queue.AddAsync("charge-card", new byte[] { 1 }, new InvalidOperationException("x"), DeadLetterFailureReason.MaxRetriesExceeded, null, CancellationToken.None);
        await queue.AddAsync("send-mail", new byte[] { 1 }, new InvalidOperationException("x"), DeadLetterFailureReason.MaxRetriesExceeded, null, CancellationToken.None);

        (await all.CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeTrue();
        (await charges.CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeFalse();
    }

    [Fact]
    public void Constructor_SignalForAnUnknownWorkflow_NamesIt()
    {
        var create = () => new RecoveryMonitor([BlockingWorkflow()], Options(RecoverySignal.FromCheck("db", "database-failure", _ => default)));

        create.Should().Throw<ArgumentException>().WithMessage("*RecoveryMonitorOptions.Signals[0] ('db')*'database-failure'*");
    }

    [Fact]
    public void Constructor_BadInterval_NamesIt()
    {
        var options = Options();
        options.Interval = TimeSpan.Zero;
        var create = () => new RecoveryMonitor([], options);

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RecoveryMonitorOptions.Interval*");
    }

    private RecoverySignal Signal() => RecoverySignal.FromCheck("orders-api", "api-failure", _ =>
    {
        _checks++;
        return new(_unhealthy ? RecoverySignalResult.Unhealthy("down") : RecoverySignalResult.Healthy);
    });

    private RecoveryMonitorOptions Options(params RecoverySignal[] signals)
    {
        var options = new RecoveryMonitorOptions { Interval = TimeSpan.FromSeconds(10), TimeProvider = _time };
        foreach (var signal in signals)
        {
            options.Signals.Add(signal);
        }

        return options;
    }

    private RecoveryWorkflow BlockingWorkflow() => new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time }
        .Step("heal", async _ =>
        {
            _runs++;
            await _release.Task;
        })
        .Build();
}
