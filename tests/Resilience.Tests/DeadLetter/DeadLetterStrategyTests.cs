using Resilience.DeadLetter;
using Resilience.Timeout;

namespace Resilience.Tests.DeadLetter;

public class DeadLetterStrategyTests
{
    [Fact]
    public async Task ExecuteAsync_CallFails_PayloadDeadLetteredAndFailureReturned()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var pipeline = new ResiliencePipelineBuilder()
            .AddDeadLetter(queue, "charge-card", ctx => (byte[]?)ctx.Properties["payload"])
            .Build();
        var context = ResilienceContextPool.Shared.Get();
        context.Properties["payload"] = "order-1"u8.ToArray();

        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (_, _) => Outcome.FromExceptionAsValueTask<int>(new HttpRequestException("503")),
            context,
            0);
        ResilienceContextPool.Shared.Return(context);

        outcome.Exception.Should().BeOfType<HttpRequestException>();
        var entry = queue.Query().Entries.Should().ContainSingle().Subject;
        entry.OperationType.Should().Be("charge-card");
        entry.Payload.ToArray().Should().Equal("order-1"u8.ToArray());
        entry.Error.Reason.Should().Be(DeadLetterFailureReason.MaxRetriesExceeded);
    }

    [Fact]
    public async Task ExecuteAsync_RejectedCall_DeadLetteredAsRejected()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var pipeline = new ResiliencePipelineBuilder().AddDeadLetter(queue, "t", _ => [1]).Build();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(_ => throw new TimeoutRejectedException()).AsTask()).Should().ThrowAsync<TimeoutRejectedException>();

        queue.Query().Entries.Single().Error.Reason.Should().Be(DeadLetterFailureReason.Rejected);
    }

    [Fact]
    public async Task ExecuteAsync_SuccessOrCallerCancellation_NothingDeadLettered()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var pipeline = new ResiliencePipelineBuilder().AddDeadLetter(queue, "t", _ => [1]).Build();
        using var cts = new CancellationTokenSource();

        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        await pipeline.Invoking(p => p.ExecuteAsync<int>(async ct =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return 0;
        }, cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();

        queue.Store.Count.Should().Be(0);
    }

    [Fact]
    public void AddDeadLetter_MissingOptions_ThrowNamingTheOption()
    {
        var noQueue = () => new ResiliencePipelineBuilder().AddDeadLetter(new DeadLetterStrategyOptions { OperationType = "t", PayloadFactory = _ => null });

        noQueue.Should().Throw<ArgumentNullException>().WithParameterName("DeadLetterStrategyOptions.Queue");
    }
}
