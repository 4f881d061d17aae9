using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.RateLimiting;
using Resilience.Recovery;

namespace Resilience.Tests.Recovery;

public class RecoveryStepsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task CloseCircuitBreaker_AfterAProbeSucceeds_ClosesTheBreaker()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        await breaker.IsolateAsync();
        var probes = 0;

        var record = await Workflow(b => b
            .Step("test connectivity", RecoverySteps.Probe(_ =>
            {
                probes++;
                return new ValueTask<bool>(true);
            }))
            .Step("reset breaker", RecoverySteps.CloseCircuitBreaker(registry, "orders-api")))
            .RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Succeeded);
        probes.Should().Be(1);
        breaker.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task Probe_Unhealthy_FailsTheStepAndTheBreakerStaysOpen()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        await breaker.IsolateAsync();

        var record = await Workflow(b => b
            .Step("test connectivity", RecoverySteps.Probe(_ => new ValueTask<bool>(false)))
            .Step("reset breaker", RecoverySteps.CloseCircuitBreaker(registry, "orders-api")))
            .RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Failed);
        record.Error!.Message.Should().Contain("test connectivity");
        breaker.State.Should().Be(CircuitState.Isolated);
    }

    [Fact]
    public async Task CloseCircuitBreaker_UnknownBreaker_FailsNamingIt()
    {
        var record = await Workflow(b => b.Step("reset", RecoverySteps.CloseCircuitBreaker(new CircuitBreakerRegistry(_time), "nope"))).RunAsync(RecoveryTrigger.Manual);

        record.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("'nope'");
    }

    [Fact]
    public async Task ReplayDeadLetters_ReplaysOneTypeAtTheRate()
    {
        await using var queue = DeadLetterQueue.Create(new InMemoryDeadLetterStore(), new DeadLetterQueueOptions { TimeProvider = _time });
        queue.RegisterHandler("charge-card", (_, _) => default);
        queue.RegisterHandler("send-mail", (_, _) => default);
        for (var i = 0; i < 3; i++)
        {
            await queue.AddAsync("charge-card", new byte[] { 1 }, new InvalidOperationException("x"));
        }

        var mail = await queue.AddAsync("send-mail", new byte[] { 1 }, new InvalidOperationException("x"));
        var before = _time.GetUtcNow();
        RecoveryRunRecord? record = null;
        var workflow = Workflow(b => b.Step("replay", RecoverySteps.ReplayDeadLetters(queue, "charge-card", maxPerSecond: 2)).Step("read", ctx =>
        {
            ctx.Properties[RecoverySteps.ReplayedPropertyPrefix + "charge-card"].Should().Be(3);
            return default;
        }));

        record = await workflow.RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Succeeded);
        var due = queue.Query(new DeadLetterQuery { OperationType = "charge-card" }).Entries.Select(e => e.NextAttemptAt!.Value - before).Order();
        due.Should().Equal(TimeSpan.Zero, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        queue.Get(mail.Id)!.NextAttemptAt.Should().Be(mail.NextAttemptAt, "another type is left alone");
    }

    public static TheoryData<object?, int> RetryAfterValues() => new()
    {
        { TimeSpan.FromSeconds(5), 5 },
        { new RateLimiterRejectedException("limited", TimeSpan.FromSeconds(7)), 7 },
        { "3", 3 },
        { TimeSpan.FromHours(1), 60 },
        { null, 10 },
    };

    [Theory]
    [MemberData(nameof(RetryAfterValues))]
    public async Task WaitForRateLimitReset_WaitsAsLongAsTheRetryAfterSaysUpToTheMax(object? retryAfter, int expectedSeconds)
    {
        var workflow = Workflow(b => b.Step("wait for reset", RecoverySteps.WaitForRateLimitReset(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60))));
        var properties = retryAfter is null ? null : new[] { new KeyValuePair<string, object?>(RecoverySteps.RetryAfterProperty, retryAfter) };
        var run = workflow.Trigger(RecoveryTrigger.Automatic, properties: properties).Run!;

        _time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromMilliseconds(1));
        run.Completion.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await RecoveryTestClock.UntilAsync(() => run.Completion.IsCompleted);

        (await run.Completion).State.Should().Be(RecoveryRunState.Succeeded);
    }

    [Fact]
    public async Task WaitForRateLimitReset_RetryAfterDate_WaitsUntilThen()
    {
        var workflow = Workflow(b => b.Step("wait for reset", RecoverySteps.WaitForRateLimitReset(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60))));
        var run = workflow.Trigger(RecoveryTrigger.Automatic, properties: [new(RecoverySteps.RetryAfterProperty, _time.GetUtcNow() + TimeSpan.FromSeconds(20))]).Run!;

        _time.Advance(TimeSpan.FromSeconds(19));
        run.Completion.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        await RecoveryTestClock.UntilAsync(() => run.Completion.IsCompleted);
    }

    private RecoveryWorkflow Workflow(Func<RecoveryWorkflowBuilder, RecoveryWorkflowBuilder> configure)
        => configure(new RecoveryWorkflowBuilder("heal") { TimeProvider = _time }).Build();
}
