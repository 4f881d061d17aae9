using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Compensation;

/// <summary>
/// Regressions of issue 15: a durable rollback must never compensate an operation that succeeded, run a step twice,
/// nor lose its journal.
/// </summary>
public sealed class DurableCompensationRegressionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _ran = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Complete_SyncInDurableScope_IsJournaledAndRecoveryNeverCompensates()
    {
        await using (var before = Create())
        {
            var scope = before.Begin("order-1");
            await scope.RegisterAsync("undo", new UndoStep("order-1", "inventory"));
            await scope.RegisterAsync("undo", new UndoStep("order-1", "payment"));
            scope.Complete();
            await scope.DisposeAsync();
        }

        await using var after = Create();
        (await after.RecoverAsync()).Should().BeEmpty("the operation completed: nothing may be refunded");
        _ran.Should().BeEmpty();
    }

    [Fact]
    public async Task RegisterAsync_StateOverOneMebibyte_SurvivesRestart()
    {
        var big = new string('x', 3 * 1024 * 1024);
        await using (var before = Create())
        {
            var scope = before.Begin("order-2");
            await scope.RegisterAsync("undo", new UndoStep("order-2", "inventory"));
            await scope.RegisterAsync("undo", new UndoStep("order-2", big));

            // A valid record after the large one: once taken for corruption, it made a strict open refuse the journal.
            await scope.RegisterAsync("undo", new UndoStep("order-2", "shipment"));
        }

        await using var after = Create();
        var results = await after.RecoverAsync();

        results.Should().ContainSingle().Which.Succeeded.Should().BeTrue();

        // Compared by length: a failure message quoting megabytes of state helps nobody.
        _ran.Select(r => r.Length).Should().Equal("order-2:shipment".Length, "order-2:".Length + big.Length, "order-2:inventory".Length);
    }

    [Fact]
    public async Task RegisterAsync_StateOverTheLimit_ThrowsNamingSizeAndLimitAndJournalsNothing()
    {
        var tooBig = new string('x', CompensationOptions.MaxStateBytes);
        await using (var before = Create())
        {
            var scope = before.Begin("order-3");
            await scope.RegisterAsync("undo", new UndoStep("order-3", "inventory"));

            var register = () => scope.RegisterAsync("undo", new UndoStep("order-3", tooBig)).AsTask();

            var thrown = await register.Should().ThrowAsync<ArgumentException>();
            thrown.Which.Message.Should().Contain(CompensationOptions.MaxStateBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .And.Contain("CompensationOptions.MaxStateBytes").And.Contain("'undo'");
        }

        await using var after = Create();
        await after.RecoverAsync();
        _ran.Should().Equal("order-3:inventory");
    }

    [Fact]
    public async Task Recover_DelegateStepBelowNamedOnes_ReportsTheLostStepParksWithAReasonAndNeverDereferencesNull()
    {
        await using (var dlq = OpenQueue())
        await using (var before = Create(dlq))
        {
            var scope = before.Begin("order-4");
            scope.Register(() => _ran.Add("order-4:delegate"));
            await scope.RegisterAsync("undo", new UndoStep("order-4", "payment"));
            await scope.RegisterAsync("undo", new UndoStep("order-4", "shipment"));

            // The process stops: the delegate (step 0) is gone with it.
        }

        string parkedId;
        await using (var dlq = OpenQueue())
        await using (var after = Create(dlq))
        {
            var result = (await after.RecoverAsync()).Should().ContainSingle().Subject;

            _ran.Should().Equal("order-4:shipment", "order-4:payment");
            result.LostSteps.Should().Equal(0);
            result.Succeeded.Should().BeFalse();
            parkedId = result.ParkedEntryId!;
            parkedId.Should().NotBeNull();
            var entry = dlq.Get(parkedId)!;
            entry.Error.Message.Should().Contain("step 0").And.Contain("delegate");

            _time.Advance(TimeSpan.FromHours(2));
            dlq.Processor.Start();
            await dlq.Processor.WaitForIdleAsync();

            entry = dlq.Get(parkedId)!;
            entry.Error.Type.Should().NotBe(typeof(NullReferenceException).FullName);
            entry.Error.Message.Should().Contain("step 0");
            entry.Status.Should().NotBe(DeadLetterStatus.Recovered, "nobody undid the lost step yet");
        }

        // The operator undoes step 0 by hand and says so; the parked entry then completes.
        await using (var dlq = OpenQueue())
        await using (var again = Create(dlq))
        {
            await again.AcknowledgeLostStepsAsync("order-4");
            await dlq.ReplayAsync(parkedId);
            _time.Advance(TimeSpan.FromHours(2));
            dlq.Processor.Start();
            await dlq.Processor.WaitForIdleAsync();

            dlq.Get(parkedId)!.Status.Should().Be(DeadLetterStatus.Recovered);
            (await again.RecoverAsync()).Should().BeEmpty();
        }

        _ran.Should().Equal("order-4:shipment", "order-4:payment");
    }

    [Fact]
    public async Task Recover_DelegateStepAboveANamedOne_IsMarkedInTheJournalAndReportedWithoutAQueue()
    {
        await using (var before = Create())
        {
            var scope = before.Begin("order-8");
            await scope.RegisterAsync("undo", new UndoStep("order-8", "inventory"));
            scope.Register(() => _ran.Add("order-8:delegate"));
            await scope.RegisterAsync("undo", new UndoStep("order-8", "shipment"));
            scope.Register(() => _ran.Add("order-8:delegate-on-top"));
        }

        await using (var after = Create())
        {
            var result = (await after.RecoverAsync()).Should().ContainSingle().Subject;

            // Step 3 (a delegate after the last named step) is known only through its journal mark.
            result.LostSteps.Should().Equal(3, 1);
            result.ParkedEntryId.Should().BeNull("there is no dead letter queue to park in");
            result.Succeeded.Should().BeFalse();
            _ran.Should().BeEmpty("the rollback stops at the lost step on top");

            (await after.AcknowledgeLostStepsAsync("order-8")).Should().Equal(3, 1);
            (await after.ResumeAsync("order-8")).Succeeded.Should().BeTrue();
        }

        _ran.Should().Equal("order-8:shipment", "order-8:inventory");
    }

    [Fact]
    public async Task Journal_CompactedWithLostStepsAndClaims_ReopensWithTheSameState()
    {
        var options = new CompensationJournalOptions { SegmentSize = 4096, CompactionThreshold = 4096 };
        await using (var before = Create(journal: options))
        {
            var scope = before.Begin("order-9");
            await scope.RegisterAsync("undo", new UndoStep("order-9", "inventory"));
            scope.Register(() => _ran.Add("order-9:delegate"));
            await scope.RegisterAsync("undo", new UndoStep("order-9", "shipment"));

            // Enough finished operations for the log to be compacted several times over.
            for (var i = 0; i < 200; i++)
            {
                var churn = before.Begin($"churn-{i}");
                await churn.RegisterAsync("undo", new UndoStep($"churn-{i}", new string('c', 100)));
                await churn.CompleteAsync();
            }
        }

        Directory.GetFiles(_dir.Sub("journal"), "snap-*").Should().NotBeEmpty("the journal was compacted");
        await using var after = Create(journal: options);
        var result = (await after.RecoverAsync()).Should().ContainSingle().Subject;

        result.OperationId.Should().Be("order-9");
        result.LostSteps.Should().Equal(1);
        _ran.Should().Equal("order-9:shipment");
    }

    [Fact]
    public void JournalOptions_Invalid_ThrowsNamingTheOption()
    {
        var create = () => new CompensationManager(new CompensationOptions
        {
            JournalDirectory = _dir.Sub("journal"),
            Journal = new CompensationJournalOptions { SegmentSize = 10 },
        });

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CompensationJournalOptions.SegmentSize");
    }

    [Fact]
    public async Task Park_OperationIdNeedingEscapes_PayloadIsValidJson()
    {
        const string operationId = "order \\ \"5\"\n\t\u0001 é";
        await using var dlq = OpenQueue();
        await using var manager = Create(dlq, failing: "payment");
        var scope = manager.Begin(operationId);
        await scope.RegisterAsync("undo", new UndoStep(operationId, "inventory"));
        await scope.RegisterAsync("undo", new UndoStep(operationId, "payment"));

        var result = await scope.CompensateAsync();

        var payload = dlq.Get(result.ParkedEntryId!)!.Payload;
        using var json = JsonDocument.Parse(payload);
        json.RootElement.GetProperty("operationId").GetString().Should().Be(operationId);
        json.RootElement.GetProperty("fromStep").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task ParkedRollback_AfterRestart_RecoveryAndProcessorRacing_EachStepRunsOnce()
    {
        var parkedId = await ParkOrder6Async();
        CompensationManager? manager = null;
        var race = new StepRace("order-6:payment", () => manager!.Leases.Waiters("order-6"));

        await using var dlq = OpenQueue();
        await using var after = manager = Create(dlq, race: race);
        after.Leases.Contended = _ => race.Waiting();
        _time.Advance(TimeSpan.FromHours(2));
        var recovery = after.RecoverAsync();
        dlq.Processor.Start();
        var processor = dlq.Processor.WaitForIdleAsync();

        await race.SettleAsync([recovery, processor]);
        await Task.WhenAll(recovery, processor);
        await dlq.Processor.WaitForIdleAsync();

        _ran.Should().Equal("order-6:shipment", "order-6:payment", "order-6:inventory");
        dlq.Get(parkedId)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task ParkedRollback_AfterRestart_RecoveryProcessorAndManualResumeRacing_EachStepRunsOnce()
    {
        var parkedId = await ParkOrder6Async();
        CompensationManager? manager = null;
        var race = new StepRace("order-6:payment", () => manager!.Leases.Waiters("order-6"));

        await using var dlq = OpenQueue();
        await using var after = manager = Create(dlq, race: race);
        after.Leases.Contended = _ => race.Waiting();
        _time.Advance(TimeSpan.FromHours(2));
        var recovery = after.RecoverAsync();
        dlq.Processor.Start();
        var processor = dlq.Processor.WaitForIdleAsync();
        var manual = Task.Run(() => after.ResumeAsync("order-6"));

        await race.SettleAsync([recovery, processor, manual]);
        await Task.WhenAll(recovery, processor, manual);
        await dlq.Processor.WaitForIdleAsync();

        _ran.Should().Equal("order-6:shipment", "order-6:payment", "order-6:inventory");
        dlq.Get(parkedId)!.Status.Should().Be(DeadLetterStatus.Recovered);
        (await after.RecoverAsync()).Should().BeEmpty();
    }

    private async Task<string> ParkOrder6Async()
    {
        await using var dlq = OpenQueue();
        await using var before = Create(dlq, failing: "payment");
        var scope = before.Begin("order-6");
        await scope.RegisterAsync("undo", new UndoStep("order-6", "inventory"));
        await scope.RegisterAsync("undo", new UndoStep("order-6", "payment"));
        await scope.RegisterAsync("undo", new UndoStep("order-6", "shipment"));
        var result = await scope.CompensateAsync();
        _ran.Should().Equal("order-6:shipment");
        return result.ParkedEntryId!;
    }

    private DeadLetterQueue OpenQueue() => DeadLetterQueue.Open(new DeadLetterQueueOptions
    {
        Directory = _dir.Sub("dlq"),
        TimeProvider = _time,
        Randomizer = () => 0,
        MaxAttempts = 3,
    });

    private CompensationManager Create(DeadLetterQueue? dlq = null, string? failing = null, StepRace? race = null, CompensationJournalOptions? journal = null)
    {
        var manager = new CompensationManager(new CompensationOptions
        {
            JournalDirectory = _dir.Sub("journal"),
            Journal = journal ?? new CompensationJournalOptions(),
            MaxAttempts = 1,
            DeadLetterQueue = dlq,
            FailurePolicy = dlq is null ? CompensationFailurePolicy.ContinueOnError : CompensationFailurePolicy.StopAndPark,
            TimeProvider = _time,
        });
        manager.RegisterHandler("undo", CompensationJsonContext.Default.UndoStep, async (step, _) =>
        {
            if (step.Step == failing)
            {
                throw new IOException("gateway down");
            }

            var name = $"{step.Operation}:{step.Step}";
            if (race is not null)
            {
                await race.EnterAsync(name);
            }

            lock (_ran)
            {
                _ran.Add(name);
            }
        });
        return manager;
    }

    /// <summary>
    /// Holds the first runner of one step until every other contender has finished, is waiting for the operation's
    /// lease, or has entered the same step too — so a second concurrent run shows up deterministically instead of by
    /// luck of timing, and a correct run is released as soon as the others are queued behind the owner.
    /// </summary>
    private sealed class StepRace(string step, Func<int> waiters)
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entries;
        private int _done;
        private int _needed = int.MaxValue;

        public async Task EnterAsync(string name)
        {
            if (name != step)
            {
                return;
            }

            if (Interlocked.Increment(ref _entries) == 1)
            {
                _first.TrySetResult();
            }
            else
            {
                // A second concurrent run of the step: release at once so the test sees it.
                _settled.TrySetResult();
            }

            await _gate.Task;
        }

        /// <summary>A contender started waiting for an operation's lease.</summary>
        public void Waiting() => Evaluate();

        public async Task SettleAsync(IReadOnlyList<Task> contenders)
        {
            try
            {
                // A bound for a broken run only; the behaviour itself is sequenced by the signals above.
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _first.Task.WaitAsync(bound.Token);
                Volatile.Write(ref _needed, contenders.Count - 1);
                foreach (var contender in contenders)
                {
                    _ = contender.ContinueWith(
                        _ =>
                        {
                            Interlocked.Increment(ref _done);
                            Evaluate();
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                Evaluate();
                await _settled.Task.WaitAsync(bound.Token);
            }
            finally
            {
                _gate.TrySetResult();
            }
        }

        // Every other contender is finished or queued behind the owner (the lease's waiters).
        private void Evaluate()
        {
            if (Volatile.Read(ref _done) + waiters() >= Volatile.Read(ref _needed))
            {
                _settled.TrySetResult();
            }
        }
    }
}
