using Resilience.Bulkhead;

using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Bulkhead;

public class BulkheadStressTests
{
    [Fact]
    public async Task TenThousandCallers_NeverMoreThanEightRunAndEveryCallIsAccountedFor()
    {
        const int Callers = 10_000;
        var bulkhead = new SharedBulkhead("stress", new BulkheadStrategyOptions
        {
            MaxConcurrency = 8,
            MaxQueueLength = 100,
            QueueTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        });
        var pipeline = new ResiliencePipelineBuilder().AddBulkhead(bulkhead).Build();
        var running = 0;
        var maxRunning = 0;
        long completed = 0;
        long rejected = 0;
        long cancelled = 0;
        var submitted = 0;

        // The first callers to get a slot hold it until every caller has submitted, so the queue overflows however
        // slowly a loaded machine starts the callers (without the gate, a busy CI box could drain the queue as fast
        // as it filled and never reject anyone).
        var everyoneSubmitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var calls = Enumerable.Range(0, Callers).Select(async i =>
        {
            var random = new Random(i);
#pragma warning disable CA2000 // A source without a timer holds nothing to dispose; the canceller may outlive the call.
            var cts = new CancellationTokenSource();
#pragma warning restore CA2000
            if (random.Next(4) == 0)
            {
                // Random cancellations, some while queued, some while running: a canceller that yields a random
                // number of times (no clock involved; the assertions hold whatever the interleaving).
                var yields = random.Next(0, 30);
                _ = Task.Run(async () =>
                {
                    for (var y = 0; y < yields; y++)
                    {
                        await Task.Yield();
                    }

                    await cts.CancelAsync();
                });
            }

            await Task.Yield();
            var pending = pipeline.ExecuteOutcomeAsync(
                async (spin, ct) =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax.Update(ref maxRunning, now);
                    try
                    {
                        await everyoneSubmitted.Task.WaitAsync(ct);
                        for (var s = 0; s < spin; s++)
                        {
                            ct.ThrowIfCancellationRequested();
                            await Task.Yield();
                        }

                        return spin;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                },
                random.Next(1, 20),
                cts.Token);
            if (Interlocked.Increment(ref submitted) == Callers)
            {
                everyoneSubmitted.SetResult();
            }

            var outcome = await pending;
            switch (outcome.Exception)
            {
                case null:
                    Interlocked.Increment(ref completed);
                    break;
                case BulkheadRejectedException:
                    Interlocked.Increment(ref rejected);
                    break;
                case OperationCanceledException:
                    Interlocked.Increment(ref cancelled);
                    break;
                default:
                    throw outcome.Exception;
            }
        }).ToList();
        await Task.WhenAll(calls);

        maxRunning.Should().BeLessThanOrEqualTo(8);
        (completed + rejected + cancelled).Should().Be(Callers);
        completed.Should().BeGreaterThan(0);
        cancelled.Should().BeGreaterThan(0, "a quarter of the callers cancel");
        rejected.Should().BeGreaterThan(0, "ten thousand callers overflow a queue of one hundred");
        bulkhead.InUse.Should().Be(0, "no permit leaked");
        bulkhead.Queued.Should().Be(0);
    }
}
