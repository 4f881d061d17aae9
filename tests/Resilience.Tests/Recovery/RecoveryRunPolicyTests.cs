using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.Recovery;
using Resilience.Retry;

namespace Resilience.Tests.Recovery;

public class RecoveryRunPolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private bool _fail;

    [Fact]
    public async Task TimeWindow_AtMostNAutomaticRunsPerWindow()
    {
        var workflow = Create(RecoveryRunPolicy.TimeWindow(2, TimeSpan.FromMinutes(10)));
        var firstStart = _time.GetUtcNow();

        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started);
        _time.Advance(TimeSpan.FromMinutes(1));
        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started);
        _time.Advance(TimeSpan.FromMinutes(1));

        var third = workflow.Trigger(RecoveryTrigger.Automatic);
        third.Status.Should().Be(RecoveryTriggerStatus.Deferred);
        third.Run.Should().BeNull();
        third.NotBefore.Should().Be(firstStart + TimeSpan.FromMinutes(10));
        third.Reason.Should().Contain("at most 2");

        _time.Advance(TimeSpan.FromMinutes(8) - TimeSpan.FromTicks(1));
        workflow.Trigger(RecoveryTrigger.Automatic).Status.Should().Be(RecoveryTriggerStatus.Deferred, "the first run is still inside the window");
        _time.Advance(TimeSpan.FromTicks(1));
        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started);
    }

    [Fact]
    public async Task TimeWindow_DoesNotHoldBackAnOperator()
    {
        var workflow = Create(RecoveryRunPolicy.TimeWindow(1, TimeSpan.FromMinutes(10)));
        await RunAutomaticAsync(workflow);

        workflow.Trigger(RecoveryTrigger.Automatic).Status.Should().Be(RecoveryTriggerStatus.Deferred);
        (await workflow.RunAsync(RecoveryTrigger.Manual)).State.Should().Be(RecoveryRunState.Succeeded);
        (await workflow.RunAsync(RecoveryTrigger.Emergency)).State.Should().Be(RecoveryRunState.Succeeded);
        (await workflow.RunAsync(RecoveryTrigger.Scheduled)).State.Should().Be(RecoveryRunState.Succeeded);
    }

    [Fact]
    public async Task BreakerAligned_WaitsUntilTheBreakElapses()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(breaker).Build();
        var trip = async () => await pipeline.ExecuteAsync(_ => throw new InvalidOperationException("down"), CancellationToken.None);
        await trip.Should().ThrowAsync<InvalidOperationException>();
        breaker.State.Should().Be(CircuitState.Open);
        var workflow = Create(RecoveryRunPolicy.BreakerAligned(registry, "orders-api"));

        var deferred = workflow.Trigger(RecoveryTrigger.Automatic);
        deferred.Status.Should().Be(RecoveryTriggerStatus.Deferred);
        deferred.NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(30));
        deferred.Reason.Should().Contain("orders-api");

        _time.Advance(TimeSpan.FromSeconds(29));
        workflow.Trigger(RecoveryTrigger.Automatic).Status.Should().Be(RecoveryTriggerStatus.Deferred);
        _time.Advance(TimeSpan.FromSeconds(1));
        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started, "the break elapsed: a probe may go through");
    }

    [Fact]
    public async Task BreakerAligned_IsolatedBreaker_NeverRunsAutomatically_UnknownBreakerRuns()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        await breaker.IsolateAsync();

        var isolated = Create(RecoveryRunPolicy.BreakerAligned(registry, "orders-api")).Trigger(RecoveryTrigger.Automatic);
        isolated.Status.Should().Be(RecoveryTriggerStatus.Deferred);
        isolated.NotBefore.Should().BeNull();

        (await RunAutomaticAsync(Create(RecoveryRunPolicy.BreakerAligned(registry, "unknown")))).Status.Should().Be(RecoveryTriggerStatus.Started);
    }

    [Fact]
    public async Task Backoff_Exponential_GrowsWithConsecutiveFailuresAndResetsOnSuccess()
    {
        var workflow = Create(RecoveryRunPolicy.Backoff(BackoffType.Exponential, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));
        _fail = true;

        await RunAutomaticAsync(workflow);
        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        await RunAutomaticAsync(workflow);
        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(20));
        await RunAutomaticAsync(workflow);
        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(40));

        _fail = false;
        await workflow.RunAsync(RecoveryTrigger.Manual);
        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started, "a success resets the count");
    }

    [Fact]
    public async Task Backoff_Linear_AddsTheBaseDelayPerFailureUpToTheCap()
    {
        var workflow = Create(RecoveryRunPolicy.Backoff(BackoffType.Linear, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25)));
        _fail = true;
        var expected = new[] { 10, 20, 25, 25 };
        foreach (var seconds in expected)
        {
            await RunAutomaticAsync(workflow);
            workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(seconds));
            _time.Advance(TimeSpan.FromSeconds(seconds));
        }
    }

    [Fact]
    public async Task Adaptive_BacksOffHarderWhenRecentRunsFailedEvenWithSuccessesBetween()
    {
        var workflow = Create(RecoveryRunPolicy.Adaptive(sampleSize: 5, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));

        _fail = true;
        await RunAutomaticAsync(workflow);
        _fail = false;
        await workflow.RunAsync(RecoveryTrigger.Manual);
        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(10), "one of the last runs failed");
        _fail = true;
        await workflow.RunAsync(RecoveryTrigger.Manual);
        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(20), "two of the last runs failed, a success between");
    }

    [Fact]
    public async Task Composite_EveryPolicyMustAllow_TheLatestTimeWins()
    {
        var workflow = Create(RecoveryRunPolicy.Composite(
            RecoveryRunPolicy.Backoff(BackoffType.Constant, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
            RecoveryRunPolicy.TimeWindow(1, TimeSpan.FromMinutes(1))));
        _fail = true;
        var start = _time.GetUtcNow();

        await RunAutomaticAsync(workflow);

        workflow.Trigger(RecoveryTrigger.Automatic).NotBefore.Should().Be(start + TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        (await RunAutomaticAsync(workflow)).Status.Should().Be(RecoveryTriggerStatus.Started);
    }

    [Fact]
    public void Factories_RejectBadArguments_NamingThem()
    {
        FluentActions.Invoking(() => RecoveryRunPolicy.TimeWindow(0, TimeSpan.FromMinutes(1))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*maxRuns*");
        FluentActions.Invoking(() => RecoveryRunPolicy.Backoff(BackoffType.DecorrelatedJitter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*backoff*");
        FluentActions.Invoking(() => RecoveryRunPolicy.Composite()).Should().Throw<ArgumentException>();
    }

    private static async Task<RecoveryTriggerResult> RunAutomaticAsync(RecoveryWorkflow workflow)
    {
        var result = workflow.Trigger(RecoveryTrigger.Automatic);
        if (result.Run is { } run)
        {
            await run.Completion;
        }

        return result;
    }

    private RecoveryWorkflow Create(RecoveryRunPolicy policy)
        => new RecoveryWorkflowBuilder("api-failure") { TimeProvider = _time }
            .RunAgain(policy)
            .Step("work", _ => _fail ? throw new InvalidOperationException("still down") : default)
            .Build();
}
