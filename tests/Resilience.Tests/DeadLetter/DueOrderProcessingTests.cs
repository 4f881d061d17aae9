using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17: over a file store the processor dispatches from the store's own due order (per operation type) instead of
/// keeping a schedule of every pending id (about 150 bytes per pending entry: at ten million entries as much again as
/// the store's index). Dispatch must behave the same over either store: earliest due first, paused types and types
/// without a handler passed over without holding the others back.
/// </summary>
public sealed class DueOrderProcessingTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TempDirectory _dir = new();
    private readonly ConcurrentQueue<string> _attempted = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_OverAFileStore_KeepsNoScheduleOfItsOwn()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, TimeProvider = _time });
        await store.SaveAsync(Enumerable.Range(0, 500).Select(i => Pending($"entry-{i:D3}", "charge-card", TimeSpan.FromMinutes(5))).ToArray());
        await using var queue = DeadLetterQueue.Create(store, Options());
        queue.RegisterHandler("charge-card", Record);

        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        queue.Processor.QueuedCount.Should().Be(0, "the store's index holds the due order");
        await AdvanceAsync(queue, TimeSpan.FromMinutes(5));
        _attempted.Should().HaveCount(500);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DueEntries_AreAttemptedEarliestFirst_AcrossTypes(bool fileStore)
    {
        await using var store = OpenStore(fileStore);
        await store.SaveAsync(
        [
            Pending("c", "sms", TimeSpan.FromMinutes(3)),
            Pending("a", "email", TimeSpan.FromMinutes(1)),
            Pending("d", "email", TimeSpan.FromMinutes(4)),
            Pending("b", "sms", TimeSpan.FromMinutes(2)),
            Pending("e", "sms", TimeSpan.FromMinutes(9)),
        ]);
        await using var queue = DeadLetterQueue.Create(store, Options(maxConcurrent: 1));
        queue.RegisterHandler("email", Record);
        queue.RegisterHandler("sms", Record);
        queue.Processor.Start();

        await AdvanceAsync(queue, TimeSpan.FromMinutes(5));
        _attempted.Should().Equal("a", "b", "c", "d");
        await AdvanceAsync(queue, TimeSpan.FromMinutes(4));
        _attempted.Should().Equal("a", "b", "c", "d", "e");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PausedTypeWithManyDueEntries_DoesNotHoldBackOtherTypes_AndRunsWhenThePauseEnds(bool fileStore)
    {
        await using var store = OpenStore(fileStore);
        await store.SaveAsync(
            Enumerable.Range(0, 20).Select(i => Pending($"email-{i:D2}", "email", TimeSpan.Zero))
                .Concat(Enumerable.Range(0, 3).Select(i => Pending($"sms-{i}", "sms", TimeSpan.FromMinutes(1))))
                .ToArray());
        await using var queue = DeadLetterQueue.Create(store, Options(maxConcurrent: 2));
        queue.RegisterHandler("email", Record);
        queue.RegisterHandler("sms", Record);
        queue.Processor.PauseOperationType("email", TimeSpan.FromMinutes(10));
        queue.Processor.Start();

        await AdvanceAsync(queue, TimeSpan.FromMinutes(2));
        _attempted.Should().BeEquivalentTo(["sms-0", "sms-1", "sms-2"], "twenty paused entries due earlier do not take the two slots");

        await AdvanceAsync(queue, TimeSpan.FromMinutes(8));
        _attempted.Where(id => id.StartsWith("email", StringComparison.Ordinal)).Should().HaveCount(20, "the pause ended");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TypeWithoutAHandler_DoesNotHoldBackOthers_AndRunsOnceOneIsRegistered(bool fileStore)
    {
        await using var store = OpenStore(fileStore);
        await store.SaveAsync(
            Enumerable.Range(0, 10).Select(i => Pending($"orphan-{i}", "unhandled", TimeSpan.Zero))
                .Append(Pending("sms-0", "sms", TimeSpan.FromMinutes(1)))
                .ToArray());
        await using var queue = DeadLetterQueue.Create(store, Options(maxConcurrent: 1));
        queue.RegisterHandler("sms", Record);
        queue.Processor.Start();

        await AdvanceAsync(queue, TimeSpan.FromMinutes(2));
        _attempted.Should().Equal("sms-0");

        queue.RegisterHandler("unhandled", Record);
        await AdvanceAsync(queue, TimeSpan.FromMinutes(1));
        _attempted.Should().HaveCount(11);
    }

    [Fact]
    public async Task RetentionSweep_OverAFileStore_DeletesWhatExpiredWithoutReadingEveryEntry()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, TimeProvider = _time });
        await store.SaveAsync(
            Enumerable.Range(0, 300).Select(i => Pending($"pending-{i:D3}", "charge-card", TimeSpan.FromDays(400)))
                .Concat(Enumerable.Range(0, 1_500).Select(i => Pending($"recovered-{i:D4}", "charge-card", TimeSpan.Zero) with { Status = DeadLetterStatus.Recovered }))
                .Concat(Enumerable.Range(0, 10).Select(i => Pending($"recent-{i}", "charge-card", TimeSpan.Zero) with { Status = DeadLetterStatus.Discarded, UpdatedAt = Start.AddDays(6) }))
                .Concat(Enumerable.Range(0, 20).Select(i => Pending($"archived-{i:D2}", "charge-card", TimeSpan.Zero) with { Status = DeadLetterStatus.Archived }))
                .ToArray());
        var options = Options();
        options.Retention = TimeSpan.FromDays(7);
        options.ArchiveRetention = TimeSpan.FromDays(30);
        await using var queue = DeadLetterQueue.Create(store, options);
        queue.RegisterHandler("charge-card", Record);
        queue.Processor.Start();

        await AdvanceAsync(queue, TimeSpan.FromDays(7), TimeSpan.FromHours(1));
        store.Count.Should().Be(300 + 10 + 20, "the 1,500 recovered entries (more than one delete's worth) are past their retention");

        await AdvanceAsync(queue, TimeSpan.FromDays(24), TimeSpan.FromHours(1));
        store.Count.Should().Be(300, "the discarded ones and then the archived ones expired too");
        store.SummaryScans.Should().Be(0, "the sweep reads the expired entries from the index's update-time order, not every entry");
    }

    private static DeadLetterEntry Pending(string id, string type, TimeSpan dueIn) => new()
    {
        Id = id,
        OperationType = type,
        CreatedAt = Start,
        UpdatedAt = Start,
        NextAttemptAt = Start + dueIn,
        MaxAttempts = 5,
        Error = new DeadLetterError { Type = "System.IO.IOException", Message = "down" },
        Payload = "{}"u8.ToArray(),
    };

    private IDeadLetterStore OpenStore(bool fileStore) => fileStore
        ? FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, TimeProvider = _time })
        : new InMemoryDeadLetterStore();

    private DeadLetterQueueOptions Options(int maxConcurrent = 4) => new()
    {
        TimeProvider = _time,
        Randomizer = () => 0,
        MaxConcurrentAttempts = maxConcurrent,
    };

    private ValueTask Record(DeadLetterAttempt attempt, CancellationToken cancellationToken)
    {
        _attempted.Enqueue(attempt.Entry.Id);
        return default;
    }

    private async Task AdvanceAsync(DeadLetterQueue queue, TimeSpan by, TimeSpan? step = null)
    {
        var each = step ?? TimeSpan.FromSeconds(30);
        await queue.Processor.WaitForIdleAsync();
        for (var moved = TimeSpan.Zero; moved < by; moved += each)
        {
            _time.Advance(each);
            await queue.Processor.WaitForIdleAsync();
        }
    }
}
