using Resilience.Batch;
using Resilience.Checkpointing;

namespace Resilience.Tests.Checkpointing;

public class CheckpointPartitionTrackerTests
{
    private static async Task<CheckpointManager> OpenAsync(ICheckpointStore? store = null)
        => await CheckpointManager.OpenAsync(store ?? new InMemoryCheckpointStore(), new CheckpointManagerOptions { ConsumerGroup = "g", AutoCommitInterval = null });

    [Fact]
    public async Task Complete_OutOfOrder_NeverMovesPastAnUnfinishedItem()
    {
        await using var manager = await OpenAsync();
        var tracker = manager.Track("s", 0);
        for (var i = 0; i < 5; i++)
        {
            tracker.Start(i);
        }

        tracker.Complete(3);
        tracker.Complete(1);
        tracker.DoneUpTo.Should().Be(0);
        manager.GetOffset("s", 0).Should().Be(0);

        tracker.Complete(0);
        tracker.DoneUpTo.Should().Be(2, "0 and 1 are done, 2 is not");
        manager.GetOffset("s", 0).Should().Be(2);

        tracker.Complete(2);
        tracker.DoneUpTo.Should().Be(4, "3 finished earlier");
        tracker.Complete(4);
        tracker.DoneUpTo.Should().Be(5);
        tracker.InFlight.Should().Be(0);
        manager.GetOffset("s", 0).Should().Be(5);
    }

    [Fact]
    public async Task Start_AfterAGap_TheSkippedOffsetsCountAsDone()
    {
        await using var manager = await OpenAsync();
        var tracker = manager.Track("s", 0);
        tracker.Start(0);
        tracker.Complete(0);

        tracker.Start(7);
        tracker.DoneUpTo.Should().Be(7);
        tracker.Complete(7);
        tracker.DoneUpTo.Should().Be(8);
    }

    [Fact]
    public async Task Start_OutOfOrderOrCompleteOfAnItemNotRunning_Throws()
    {
        await using var manager = await OpenAsync();
        var tracker = manager.Track("s", 0);
        tracker.Start(3);

        tracker.Invoking(t => t.Start(2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*s/0*");
        tracker.Invoking(t => t.Complete(1)).Should().Throw<InvalidOperationException>();
        tracker.Complete(3);
        tracker.Invoking(t => t.Complete(3)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task Track_SamePartitionTwice_ReturnsTheSameTracker()
    {
        await using var manager = await OpenAsync();

        manager.Track("s", 1).Should().BeSameAs(manager.Track("s", 1));
        manager.Track("s", 1).Should().NotBeSameAs(manager.Track("s", 2));
    }

    [Fact]
    public async Task ParallelHandlersWithConcurrentCommits_EveryCommittedOffsetCoversOnlyFinishedItems()
    {
        const int Items = 300;
        const int Parallelism = 6;
        var done = new bool[Items];
        var store = new CheckingStore(done);
        await using var manager = await OpenAsync(store);
        var tracker = manager.Track("s", 0);
        using var gate = new Batch.CallerGate();
        using var completed = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();

        // A committer racing the handlers, on top of the commits the test makes after each completion.
        var committer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await manager.CommitAsync();
                await Task.Yield();
            }
        });
        var batch = Task.Run(() => ResiliencePipeline.Empty.ExecuteBatchAsync(
            StartInOrder([.. Enumerable.Range(0, Items)], tracker),
            async (offset, ct) =>
            {
                await gate.EnterAsync(offset, ct);
                Volatile.Write(ref done[offset], true);
                tracker.Complete(offset);
                completed.Release();
                return offset;
            },
            new BatchOptions<int> { MaxDegreeOfParallelism = Parallelism }).AsTask());

        // The test decides the completion order: a seeded random pick among the items running, so items finish out
        // of order all the time and the slowest one holds the committed offset back.
        var random = new Random(23);
        await gate.WaitForArrivalsAsync(Parallelism);
        for (var released = 0; released < Items; released++)
        {
            var held = gate.HeldIds.Order().ToArray();
            gate.Release(held[random.Next(held.Length)]);
            (await completed.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the released item completes");
            await manager.CommitAsync();
            if (released < Items - Parallelism)
            {
                await gate.WaitForArrivalsAsync(1);
            }
        }

        var result = await batch;
        await stop.CancelAsync();
        await committer;
        await manager.CommitAsync();

        result.Succeeded.Should().HaveCount(Items);
        store.Violations.Should().BeEmpty();
        store.Commits.Should().BeGreaterThan(10, "the committed offset moved each time the lowest running item finished");
        manager.GetCommittedOffset("s", 0).Should().Be(Items);
    }

    // Items start in offset order because the batch reads its input in order, one at a time.
    private static IEnumerable<int> StartInOrder(int[] offsets, CheckpointPartitionTracker tracker)
    {
        foreach (var offset in offsets)
        {
            tracker.Start(offset);
            yield return offset;
        }
    }

    private sealed class CheckingStore(bool[] done) : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();
        private readonly List<string> _violations = [];
        private int _commits;

        public IReadOnlyList<string> Violations
        {
            get
            {
                lock (_violations)
                {
                    return [.. _violations];
                }
            }
        }

        public int Commits => Volatile.Read(ref _commits);

        public ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default) => _inner.LoadAsync(consumerGroup, cancellationToken);

        public ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commits);
            var offset = snapshot.Offsets[new CheckpointKey("s", 0)];
            for (var i = 0; i < offset; i++)
            {
                if (!Volatile.Read(ref done[i]))
                {
                    lock (_violations)
                    {
                        _violations.Add($"committed {offset} while {i} was unfinished");
                    }

                    break;
                }
            }

            return _inner.SaveAsync(snapshot, cancellationToken);
        }
    }
}
