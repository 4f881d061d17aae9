using System.Text;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>The processor over a store shared by several processes (<see cref="IDeadLetterLeaseStore"/>): claims, leases, renewals.</summary>
public sealed class LeasedProcessorTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly FakeLeaseStore _store = new();

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private DeadLetterQueue CreateQueue() => DeadLetterQueue.Create(_store, new DeadLetterQueueOptions
    {
        TimeProvider = _time,
        Randomizer = () => 0.5,
        MaxAttempts = 3,
        PauseAfterConsecutiveFailures = int.MaxValue,
    });

    private static DeadLetterEntry Entry(DeadLetterStatus status, int attempts) => new()
    {
        Id = "01JLEASE000000000000000001",
        OperationType = "charge-card",
        CreatedAt = T0,
        UpdatedAt = T0,
        Error = new DeadLetterError { Type = "E", Message = "m" },
        Payload = Encoding.UTF8.GetBytes("{}"),
        AttemptCount = attempts,
        MaxAttempts = 3,
        NextAttemptAt = T0,
        Status = status,
    };

    [Fact]
    public async Task Open_RetryingEntryLeasedElsewhere_IsLeftAloneUntilTheLeaseExpires()
    {
        await _store.SaveAsync([Entry(DeadLetterStatus.Retrying, attempts: 1)]);
        _store.LeaseElsewhere(_store.Find(Entry(DeadLetterStatus.Retrying, 1).Id)!, T0 + TimeSpan.FromSeconds(30));
        var attempts = new List<int>();
        await using var queue = CreateQueue();
        queue.RegisterHandler("charge-card", (attempt, _) =>
        {
            attempts.Add(attempt.AttemptNumber);
            return default;
        });

        // Another instance may be running that attempt: opening must not put it back in line (the file store's
        // crash recovery would, which with a shared store means two instances attempting one entry).
        _store.GetAll().Single().Status.Should().Be(DeadLetterStatus.Retrying);
        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        // Second by second, each claim round done before the clock moves on: a round runs on a pool thread, and one
        // that read the clock while a single long advance was still moving it would arm its timer from a stale time.
        for (var second = 0; second < 29; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await queue.Processor.WaitForIdleAsync();
        }

        attempts.Should().BeEmpty();

        _time.Advance(TimeSpan.FromSeconds(1));
        await queue.Processor.WaitForIdleAsync();

        attempts.Should().Equal(2);
        _store.GetAll().Single().Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task RetentionSweep_ThroughTheLeaseStore_RemovesArchivedEntriesOnTheirOwnCutOff()
    {
        var archived = Entry(DeadLetterStatus.Archived, attempts: 0) with { Id = "01JLEASE000000000000000002", NextAttemptAt = null };
        var discarded = Entry(DeadLetterStatus.Discarded, attempts: 0) with { Id = "01JLEASE000000000000000003", NextAttemptAt = null };
        await _store.SaveAsync([archived, discarded]);
        await using var queue = DeadLetterQueue.Create(_store, new DeadLetterQueueOptions
        {
            TimeProvider = _time,
            Retention = TimeSpan.FromDays(1),
            ArchiveRetention = TimeSpan.FromDays(10),
        });
        queue.RegisterHandler("charge-card", (_, _) => default);
        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        await SweepAfter(TimeSpan.FromDays(2));
        _store.GetAll().Select(e => e.Id).Should().Equal([archived.Id], "discarded entries go after Retention, archived ones are kept for ArchiveRetention");

        await SweepAfter(TimeSpan.FromDays(9));
        _store.GetAll().Should().BeEmpty("the lease store's retention delete takes archived entries past ArchiveRetention");

        async Task SweepAfter(TimeSpan elapsed)
        {
            // A claim round (the poll timer) runs the sweep, on a pool thread: the round the advance fires may read the
            // clock at the timer's due time, before the advance ends, so one more poll period makes sure a round runs
            // with the whole elapsed time behind it.
            _time.Advance(elapsed);
            await queue.Processor.WaitForIdleAsync();
            _time.Advance(_store.PollInterval);
            await queue.Processor.WaitForIdleAsync();
        }
    }

    [Fact]
    public async Task ExpiredLease_OnTheLastAttempt_ExhaustsWithoutRunningAgain()
    {
        await _store.SaveAsync([Entry(DeadLetterStatus.Retrying, attempts: 3)]);
        var ran = false;
        await using var queue = CreateQueue();
        queue.RegisterHandler("charge-card", (_, _) =>
        {
            ran = true;
            return default;
        });

        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        ran.Should().BeFalse();
        var entry = _store.GetAll().Single();
        entry.Status.Should().Be(DeadLetterStatus.Exhausted);
        entry.AttemptCount.Should().Be(3);
    }

    [Fact]
    public async Task LeasedAttempt_RenewsItsLeaseWhileTheHandlerRuns()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var queue = CreateQueue();
        queue.RegisterHandler("charge-card", async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
        });
        var entry = await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException());
        queue.Processor.Start();
        _time.Advance(TimeSpan.FromSeconds(1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        release.SetResult();
        await queue.Processor.WaitForIdleAsync();

        _store.Renewals.Should().BeGreaterThanOrEqualTo(5);
        _store.Find(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task LostLease_CancelsTheHandlerAndTheOperatorsChangeStands()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var queue = CreateQueue();
        queue.RegisterHandler("charge-card", async (_, token) =>
        {
            started.TrySetResult();
            using var registration = token.Register(() => cancelled.TrySetResult());
            await cancelled.Task;
            token.ThrowIfCancellationRequested();
        });
        var entry = await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException());
        queue.Processor.Start();
        _time.Advance(TimeSpan.FromSeconds(1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await queue.DiscardAsync(entry.Id);
        _time.Advance(TimeSpan.FromSeconds(10));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await queue.Processor.WaitForIdleAsync();

        var final = _store.Find(entry.Id)!;
        final.Status.Should().Be(DeadLetterStatus.Discarded);
        final.AttemptCount.Should().Be(1);
    }

    [Fact]
    public async Task ChangeNotification_StartsAClaimRoundWithoutWaitingForThePoll()
    {
        var handled = new List<string>();
        await using var queue = CreateQueue();
        queue.RegisterHandler("charge-card", (attempt, _) =>
        {
            handled.Add(attempt.Entry.Id);
            return default;
        });
        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        // Written by "another instance": this queue never saw it being added.
        await _store.SaveAsync([Entry(DeadLetterStatus.Pending, attempts: 0)]);
        _store.RaiseChange();
        await queue.Processor.WaitForIdleAsync();

        handled.Should().Equal(Entry(DeadLetterStatus.Pending, 0).Id);
    }
}
