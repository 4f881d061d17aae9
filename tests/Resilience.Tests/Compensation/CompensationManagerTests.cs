using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.Tests.TestUtils;
using Resilience.Timeout;

namespace Resilience.Tests.Compensation;

public class CompensationManagerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _log = [];

    [Fact]
    public async Task Scope_NotCompleted_CompensatesLastInFirstOut()
    {
        var manager = Create();

        await using (var saga = manager.Begin("order-1"))
        {
            saga.Register(() => Log("release inventory"));
            saga.Register(_ =>
            {
                Log("refund payment");
                return default;
            });
            saga.Register(this, static (self, _) =>
            {
                self.Log("cancel shipment");
                return default;
            });
        }

        _log.Should().Equal("cancel shipment", "refund payment", "release inventory");
    }

    [Fact]
    public async Task Scope_Completed_DoesNotCompensate()
    {
        var manager = Create();

        await using (var saga = manager.Begin("order-1"))
        {
            saga.Register(() => Log("release inventory"));
            saga.Complete();
            saga.Complete();
        }

        _log.Should().BeEmpty();
        manager.GetStatistics().PendingOperations.Should().Be(0);
    }

    [Fact]
    public async Task CompensateAsync_SixteenConcurrentCalls_EachStepRunsOnceAndAllGetTheSameResult()
    {
        var manager = Create();
        var counts = new int[5];
        for (var i = 0; i < counts.Length; i++)
        {
            var index = i;
            manager.Register("order-1", async _ =>
            {
                await Task.Yield();
                Interlocked.Increment(ref counts[index]);
            });
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => manager.CompensateAsync("order-1"))));
        var again = await manager.CompensateAsync("order-1");

        counts.Should().OnlyContain(c => c == 1);
        results.Should().OnlyContain(r => ReferenceEquals(r, results[0]));
        again.Should().BeSameAs(results[0]);
        results[0].Steps.Select(s => s.Index).Should().Equal(4, 3, 2, 1, 0);
    }

    [Fact]
    public async Task ContinueOnError_FailingStep_OthersRunAndResultListsTheFailure()
    {
        var manager = Create(o => o.MaxAttempts = 1);
        manager.Register("order-1", () => Log("first"));
        manager.Register("order-1", () => throw new IOException("payment gateway down"));
        manager.Register("order-1", () => Log("third"));

        var result = await manager.CompensateAsync("order-1");

        _log.Should().Equal("third", "first");
        result.Succeeded.Should().BeFalse();
        result.Steps.Select(s => (s.Index, s.Succeeded)).Should().Equal((2, true), (1, false), (0, true));
        result.Steps[1].Exception.Should().BeOfType<IOException>();
        result.Invoking(r => r.ThrowIfFailed()).Should().Throw<CompensationFailedException>()
            .Which.InnerExceptions.Should().ContainSingle().Which.Message.Should().Be("payment gateway down");
    }

    [Fact]
    public async Task StopAndPark_FailingStep_ParksRestAndReplayResumesAtTheFailedStep()
    {
        await using var dlq = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = _time });
        var manager = Create(o =>
        {
            o.MaxAttempts = 1;
            o.FailurePolicy = CompensationFailurePolicy.StopAndPark;
            o.DeadLetterQueue = dlq;
        });
        var paymentUp = false;
        manager.Register("order-9", () => Log("release inventory"));
        manager.Register("order-9", () =>
        {
            if (!paymentUp)
            {
                throw new IOException("payment gateway down");
            }

            Log("refund payment");
        });
        manager.Register("order-9", () => Log("cancel shipment"));

        var result = await manager.CompensateAsync("order-9");

        _log.Should().Equal("cancel shipment");
        result.ParkedEntryId.Should().NotBeNull();
        var entry = dlq.Get(result.ParkedEntryId!)!;
        entry.OperationType.Should().Be(CompensationManager.ParkedOperationType);
        entry.Context["fromStep"].Should().Be("1");

        paymentUp = true;
        await dlq.ReplayAsync(entry.Id);
        dlq.Processor.Start();
        await dlq.Processor.WaitForIdleAsync();

        _log.Should().Equal("cancel shipment", "refund payment", "release inventory");
        dlq.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task StepTimeout_CompensationGetsItsOwnTokenAndTimesOut()
    {
        var manager = Create(o =>
        {
            o.MaxAttempts = 1;
            o.StepTimeout = TimeSpan.FromSeconds(5);
        });
        using var operation = new CancellationTokenSource();
        await operation.CancelAsync();
        var seen = new List<bool>();
        manager.Register("order-1", ct =>
        {
            seen.Add(ct.IsCancellationRequested);
            return default;
        });
        manager.Register("order-1", async ct => await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct));

        var rollback = manager.CompensateAsync("order-1");
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await rollback;

        result.Steps[0].Exception.Should().BeOfType<TimeoutRejectedException>();
        result.Steps[1].Succeeded.Should().BeTrue();
        seen.Should().Equal(false);
    }

    [Fact]
    public async Task Retry_FailingTwiceThenSucceeding_StepSucceeds()
    {
        var manager = Create(o =>
        {
            o.MaxAttempts = 3;
            o.RetryBaseDelay = TimeSpan.Zero;
            o.RetryMaxDelay = TimeSpan.Zero;
        });
        var attempts = 0;
        manager.Register("order-1", () =>
        {
            if (++attempts < 3)
            {
                throw new IOException();
            }
        });

        var result = await manager.CompensateAsync("order-1");

        attempts.Should().Be(3);
        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Statistics_AddUp()
    {
        var manager = Create(o => o.MaxAttempts = 1);
        manager.Register("a", () => { });
        manager.Register("a", () => throw new IOException());
        manager.Register("b", () => { });
        await using (var scope = manager.Begin("c"))
        {
            scope.Register(() => { });
            manager.GetStatistics().PendingOperations.Should().Be(3);
        }

        await manager.CompensateAsync("a");
        manager.Forget("b").Should().BeTrue();

        manager.GetStatistics().Should().Be(new CompensationStatistics(TotalRegistered: 4, TotalExecuted: 3, TotalSuccessful: 2, TotalFailed: 1, PendingOperations: 0));
    }

    [Fact]
    public async Task BadInput_SpecificExceptions()
    {
        var manager = Create();

        manager.Invoking(m => m.Begin(string.Empty)).Should().Throw<ArgumentException>();
        manager.Invoking(m => m.Register(null!, () => { })).Should().Throw<ArgumentException>();
        await manager.Invoking(m => m.CompensateAsync(string.Empty)).Should().ThrowAsync<ArgumentException>();

        await using (var completed = manager.Begin("done"))
        {
            completed.Complete();
            completed.Invoking(s => s.Register(() => { })).Should().Throw<InvalidOperationException>().WithMessage("*completed*");
        }

        manager.Register("rolling", () => { });
        await manager.CompensateAsync("rolling");
        manager.Invoking(m => m.Register("rolling", () => { })).Should().Throw<InvalidOperationException>().WithMessage("*rolled back*");

        var noQueue = () => new CompensationManager(new CompensationOptions { FailurePolicy = CompensationFailurePolicy.StopAndPark });
        noQueue.Should().Throw<ArgumentNullException>().WithParameterName("CompensationOptions.DeadLetterQueue");
    }

    [Fact]
    public void Scope_RegisterThreeStatefulStepsAndComplete_AllocatesNothing()
    {
        var manager = Create();

        var bytes = AllocationMeter.BytesPerRun(() =>
        {
            var scope = manager.Begin("order");
            scope.Register(this, static (_, _) => default);
            scope.Register(this, static (_, _) => default);
            scope.Register(this, static (_, _) => default);
            scope.Complete();
            _ = AllocationMeter.Completed(DisposeAsBool(scope));
        });

        bytes.Should().Be(0);
    }

    private static async ValueTask<bool> DisposeAsBool(CompensationScope scope)
    {
        await scope.DisposeAsync();
        return true;
    }

    private CompensationManager Create(Action<CompensationOptions>? configure = null)
    {
        var options = new CompensationOptions { TimeProvider = _time, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return new CompensationManager(options);
    }

    private void Log(string text)
    {
        lock (_log)
        {
            _log.Add(text);
        }
    }
}
