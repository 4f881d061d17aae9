using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17: statistics and health checks read counts the store keeps as it applies changes (no scan, no sort); they
/// must always equal what a scan of the entries gives, live and after a reopen. And scheduling an entry twice (each
/// handler registration reschedules everything) queues it once.
/// </summary>
public sealed class RunningCountsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RandomChanges_CountsAndOrderEqualAScanLiveAndAfterReopen()
    {
        var random = new Random(17);
        var statuses = Enum.GetValues<DeadLetterStatus>();
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 8192 }))
        {
            for (var step = 0; step < 600; step++)
            {
                var n = random.Next(40);
                var current = store.Find(TestEntries.Create(n).Id);
                switch (random.Next(4))
                {
                    case 0 when current is not null:
                        await store.DeleteAsync([current.Id]);
                        break;
                    case 1 when current is not null:
                        await store.TryUpdateAsync(current with { Status = statuses[random.Next(statuses.Length)], AttemptCount = current.AttemptCount + 1 });
                        break;
                    case 2:
                        await store.CompactAsync();
                        break;
                    default:
                        await store.SaveAsync([TestEntries.Create(n, payloadBytes: random.Next(1, 300)) with { Status = statuses[random.Next(statuses.Length)] }]);
                        break;
                }

                store.GetCounts().Should().BeEquivalentTo(DeadLetterCounts.Compute(store.GetAll()), $"after step {step}");
                var all = store.GetAll();
                all.Select(e => e.Id).Should().BeInAscendingOrder(StringComparer.Ordinal, "the id order is kept as changes apply, not re-sorted");
                all.Should().OnlyContain(e => IsCurrent(store, e), "every listed entry is the current one");
            }
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 8192 });
        reopened.GetCounts().Should().BeEquivalentTo(DeadLetterCounts.Compute(reopened.GetAll()));
    }

    [Fact]
    public async Task RegisteringHandlers_ReschedulesEachPendingEntryOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = time });
        queue.Processor.Start();
        for (var i = 0; i < 10; i++)
        {
            await queue.AddAsync("op-" + (i % 2), "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        }

        queue.RegisterHandler("op-0", (_, _) => default);
        queue.RegisterHandler("op-1", (_, _) => default);
        queue.RegisterHandler("op-2", (_, _) => default);

        queue.Processor.QueuedCount.Should().Be(10, "each registration reschedules every entry, which must not queue duplicates");
    }

    private static bool IsCurrent(FileDeadLetterStore store, DeadLetterEntry entry)
        => store.Find(entry.Id) is { } found && found.Version == entry.Version && found.Payload.Span.SequenceEqual(entry.Payload.Span);
}

/// <summary>Issue 26 finding 5: operation types come from callers, so the processor's per-type state stays bounded.</summary>
public sealed class ProcessorStateBoundTests
{
    [Fact]
    public async Task ManyFailingOperationTypes_PerTypeStateStaysBounded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = time, MaxAttempts = 1, PauseAfterConsecutiveFailures = 1_000_000, MaxConcurrentAttempts = 64 });
        for (var i = 0; i < 1200; i++)
        {
            var type = "type-" + i;
            queue.RegisterHandler(type, (_, _) => throw new InvalidOperationException("down"));
            await queue.AddAsync(type, "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        }

        queue.Processor.Start();
        time.Advance(TimeSpan.FromMinutes(5));
        await queue.Processor.WaitForIdleAsync();

        queue.GetStatistics().Exhausted.Should().Be(1200);
        queue.Processor.TrackedOperationTypeCount.Should().BeLessThanOrEqualTo(1024);
    }
}
