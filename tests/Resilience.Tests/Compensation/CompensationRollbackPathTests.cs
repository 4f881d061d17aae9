using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.Tests.TestUtils;
using Resilience.Timeout;

namespace Resilience.Tests.Compensation;

/// <summary>
/// The in-memory rollback path: what a rollback of no-op steps allocates, that a step's token never sees a later
/// step's timeout, and that callers racing the rollback share one task.
/// </summary>
public class CompensationRollbackPathTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Rollback_TenNoOpSteps_AllocatesTheResultAndOneTokenSourcePerStep()
    {
        // What is left: the result (its object, its step array, the task) and the step timeout's token source of each
        // step, which cannot be shared (StepToken_KeptAfterItsStep_NeverSeesALaterStepsTimeout). Every success result is
        // a shared instance.
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });

        var bytes = AllocationMeter.BytesPerRun(() => _ = RollBack(manager, steps: 10));

        bytes.Should().Be(ResultBytes + (10 * TokenSourceBytes), "it was 1,984 B before the in-memory path (a lease, a pending list, a step copy, a task source, a result per step)");
    }

    [Fact]
    public void Rollback_TenNoOpSteps_WithoutStepTimeout_AllocatesOnlyTheResult()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1, StepTimeout = System.Threading.Timeout.InfiniteTimeSpan });

        var bytes = AllocationMeter.BytesPerRun(() => _ = RollBack(manager, steps: 10));

        bytes.Should().Be(ResultBytes);
    }

    [Fact]
    public async Task WithoutStepTimeout_StepsGetAToken_ThatCannotBeCancelled()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1, StepTimeout = System.Threading.Timeout.InfiniteTimeSpan, TimeProvider = _time });
        var seen = new List<CancellationToken>();
        manager.Register("order-1", ct =>
        {
            seen.Add(ct);
            return default;
        });

        (await manager.CompensateAsync("order-1")).Succeeded.Should().BeTrue();

        seen.Should().ContainSingle().Which.CanBeCanceled.Should().BeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void StepTimeout_NotPositiveNorInfinite_ThrowsNamingTheOption(int seconds)
    {
        var act = () => new CompensationManager(new CompensationOptions { StepTimeout = TimeSpan.FromSeconds(seconds) });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CompensationOptions.StepTimeout");
    }

    [Fact]
    public async Task StepToken_KeptAfterItsStep_NeverSeesALaterStepsTimeout()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1, StepTimeout = TimeSpan.FromSeconds(5), TimeProvider = _time });
        var kept = new List<CancellationToken>();
        manager.Register("order-1", async ct =>
        {
            kept.Add(ct);
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
        });
        manager.Register("order-1", ct =>
        {
            // Completes at once but keeps its token, as a fire-and-forget continuation would.
            kept.Add(ct);
            return default;
        });

        var rollback = manager.CompensateAsync("order-1");
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await rollback;

        result.Steps.Select(s => s.Index).Should().Equal(1, 0);
        result.Steps[1].Exception.Should().BeOfType<TimeoutRejectedException>();
        kept.Should().HaveCount(2);
        kept[1].IsCancellationRequested.Should().BeTrue("the hanging step's own deadline passed");
        kept[0].IsCancellationRequested.Should().BeFalse("a token that outlived its step must not see the next step's timeout");
        kept[0].Should().NotBe(kept[1]);
    }

    [Fact]
    public async Task CallerArrivingWhileTheRollbackRuns_GetsTheSameTask()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });
        await using var scope = manager.Begin("order-1");
        Task<CompensationResult>? during = null;
        scope.Register(() => during = scope.CompensateAsync());

        var first = scope.CompensateAsync();

        first.Should().BeSameAs(during);
        first.Should().BeSameAs(scope.CompensateAsync());
        (await first).Steps.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task AllStepsSucceeded_ResultsListEveryStepInOrder_SameInstanceOnEveryRead()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });
        var scope = manager.Begin("order-1");
        for (var i = 0; i < 10; i++)
        {
            scope.Register(static () => { });
        }

        var result = await scope.CompensateAsync();
        await scope.DisposeAsync();

        result.Succeeded.Should().BeTrue();
        result.Steps.Should().HaveCount(10);
        result.Steps.Select(s => s.Index).Should().Equal(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        result.Steps.Should().AllSatisfy(s => s.Should().Be(new CompensationStepResult(s.Index, true, null)));
        result.Steps[3].Should().BeSameAs(result.Steps[3]);
        result.Steps.Invoking(s => s[10]).Should().Throw<ArgumentOutOfRangeException>();
        result.Steps.Invoking(s => s[-1]).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task OneStepFails_TheStepsBeforeItAreStillListed()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });
        var scope = manager.Begin("order-1");
        for (var i = 0; i < 6; i++)
        {
            scope.Register(i, static (index, _) => index == 2 ? throw new IOException("step 2") : default);
        }

        var result = await scope.CompensateAsync();
        await scope.DisposeAsync();

        result.Steps.Select(s => (s.Index, s.Succeeded)).Should().Equal((5, true), (4, true), (3, true), (2, false), (1, true), (0, true));
        result.Steps[3].Exception.Should().BeOfType<IOException>();
        result.Invoking(r => r.ThrowIfFailed()).Should().Throw<CompensationFailedException>();
    }

    [Fact]
    public async Task ManyStepsAndFailures_ResultsListEveryStepInOrder()
    {
        var manager = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });
        var scope = manager.Begin("order-1");
        for (var i = 0; i < 200; i++)
        {
            scope.Register(i, static (index, _) => index % 50 == 7 ? throw new IOException($"step {index}") : default);
        }

        var result = await scope.CompensateAsync();
        await scope.DisposeAsync();

        result.Steps.Select(s => s.Index).Should().Equal(Enumerable.Range(0, 200).Reverse());
        result.Steps.Where(s => !s.Succeeded).Select(s => s.Index).Should().Equal(157, 107, 57, 7);
        result.Steps.Where(s => !s.Succeeded).Should().AllSatisfy(s => s.Exception.Should().BeOfType<IOException>());
        result.Steps.Where(s => s.Succeeded).Should().AllSatisfy(s => s.Exception.Should().BeNull());
        result.Succeeded.Should().BeFalse();
        manager.GetStatistics().Should().Be(new CompensationStatistics(200, 200, 196, 4, 0));
    }

    // The rollback's Task<CompensationResult> (72 B), the result (48 B) and its list of 10 shared successes (24 B).
    private const int ResultBytes = 144;

    // The step timeout's CancellationTokenSource, one per step (the timer behind it is pooled).
    private const int TokenSourceBytes = 48;

    private static bool RollBack(CompensationManager manager, int steps)
    {
        var scope = manager.Begin("order");
        for (var i = 0; i < steps; i++)
        {
            scope.Register(manager, static (_, _) => default);
        }

        var result = AllocationMeter.Completed(new ValueTask<CompensationResult>(scope.CompensateAsync()));
        _ = AllocationMeter.Completed(DisposeAsBool(scope));
        return result.Succeeded;
    }

    private static async ValueTask<bool> DisposeAsBool(CompensationScope scope)
    {
        await scope.DisposeAsync();
        return true;
    }
}
