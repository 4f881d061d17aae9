using System.Text.Json.Serialization;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Compensation;

public sealed class DurableCompensationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<string> _ran = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Recover_InterruptedOperation_CompensatedLifoAndCompletedOneLeftAlone()
    {
        await using (var before = Create())
        {
            var interrupted = before.Begin("order-1");
            await interrupted.RegisterAsync("undo", new UndoStep("order-1", "inventory"));
            await interrupted.RegisterAsync("undo", new UndoStep("order-1", "payment"));
            await interrupted.RegisterAsync("undo", new UndoStep("order-1", "shipment"));

            var completed = before.Begin("order-2");
            await completed.RegisterAsync("undo", new UndoStep("order-2", "inventory"));
            await completed.CompleteAsync();

            // The process "dies" here: order-1 never completes nor rolls back.
        }

        _ran.Should().BeEmpty();
        await using (var after = Create())
        {
            var results = await after.RecoverAsync();

            _ran.Should().Equal("order-1:shipment", "order-1:payment", "order-1:inventory");
            results.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
        }

        await using var again = Create();
        (await again.RecoverAsync()).Should().BeEmpty("a finished rollback is not run twice");
    }

    [Fact]
    public async Task Recover_RollbackCutShort_ResumesFromTheLastStepNotDone()
    {
        var failPayment = true;
        await using (var before = Create(undo: step =>
        {
            if (step.Step == "payment" && failPayment)
            {
                throw new IOException("gateway down");
            }
        }))
        {
            var scope = before.Begin("order-3");
            await scope.RegisterAsync("undo", new UndoStep("order-3", "inventory"));
            await scope.RegisterAsync("undo", new UndoStep("order-3", "payment"));
            await scope.RegisterAsync("undo", new UndoStep("order-3", "shipment"));
            var result = await scope.CompensateAsync();
            result.Succeeded.Should().BeFalse();
        }

        // With ContinueOnError the rollback ran every step and ended; nothing is left to recover.
        _ran.Should().Equal("order-3:shipment", "order-3:inventory");
        failPayment = false;
        await using var after = Create();
        (await after.RecoverAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task StopAndPark_AfterRestart_ReplayResumesFromTheJournal()
    {
        var paymentUp = false;
        string parkedId;
        await using (var dlq = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Sub("dlq") }))
        await using (var before = Create(step => Fail(step, paymentUp), dlq))
        {
            var scope = before.Begin("order-6");
            await scope.RegisterAsync("undo", new UndoStep("order-6", "inventory"));
            await scope.RegisterAsync("undo", new UndoStep("order-6", "payment"));
            await scope.RegisterAsync("undo", new UndoStep("order-6", "shipment"));
            var result = await scope.CompensateAsync();
            parkedId = result.ParkedEntryId!;
            parkedId.Should().NotBeNull();
        }

        _ran.Should().Equal("order-6:shipment");
        paymentUp = true;
        await using (var dlq = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Sub("dlq") }))
        await using (var after = Create(step => Fail(step, paymentUp), dlq))
        {
            await dlq.ReplayAsync(parkedId);
            dlq.Processor.Start();
            await dlq.Processor.WaitForIdleAsync();

            dlq.Get(parkedId)!.Status.Should().Be(DeadLetterStatus.Recovered);
            (await after.RecoverAsync()).Should().BeEmpty("the resumed rollback finished the operation in the journal");
        }

        _ran.Should().Equal("order-6:shipment", "order-6:payment", "order-6:inventory");

        static void Fail(UndoStep step, bool paymentUp)
        {
            if (step.Step == "payment" && !paymentUp)
            {
                throw new IOException("gateway down");
            }
        }
    }

    [Fact]
    public async Task RegisterAsync_UnknownHandler_FailsAtRegistration()
    {
        await using var manager = Create();
        var scope = manager.Begin("order-4");

        await scope.Invoking(s => s.RegisterAsync("no-such-handler", new UndoStep("order-4", "x")).AsTask())
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("*'no-such-handler'*");
    }

    [Fact]
    public async Task Recover_JournalNamesUnregisteredHandler_FailsBeforeRunningAnything()
    {
        await using (var before = Create())
        {
            await before.Begin("order-5").RegisterAsync("undo", new UndoStep("order-5", "x"));
        }

        await using var after = new CompensationManager(new CompensationOptions { JournalDirectory = _dir.Sub("journal"), MaxAttempts = 1 });

        await after.Invoking(m => m.RecoverAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*'undo'*");
        _ran.Should().BeEmpty();
    }

    private CompensationManager Create(Action<UndoStep>? undo = null, DeadLetterQueue? dlq = null)
    {
        var manager = new CompensationManager(new CompensationOptions
        {
            JournalDirectory = _dir.Sub("journal"),
            MaxAttempts = 1,
            DeadLetterQueue = dlq,
            FailurePolicy = dlq is null ? CompensationFailurePolicy.ContinueOnError : CompensationFailurePolicy.StopAndPark,
        });
        manager.RegisterHandler("undo", CompensationJsonContext.Default.UndoStep, (step, _) =>
        {
            undo?.Invoke(step);
            lock (_ran)
            {
                _ran.Add($"{step.Operation}:{step.Step}");
            }

            return default;
        });
        return manager;
    }
}

public sealed record UndoStep(string Operation, string Step);

[JsonSerializable(typeof(UndoStep))]
internal sealed partial class CompensationJsonContext : JsonSerializerContext
{
}
