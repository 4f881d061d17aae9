using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Records are verified when they are read, not when the store opens (issue 17's fast reopen), so a damaged one is
/// found by whoever reads it. An operator's page, a failure-group summary or a filter on error text must then lose
/// only that entry, and name it, not fail whole: before, one damaged record made every page that held it throw, and
/// the operator could not list the entries to find which one to delete.
/// </summary>
public sealed class DamagedRecordQueryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Query_APageHoldingADamagedRecord_ReturnsTheOthersAndNamesIt()
    {
        var ids = await StoreFiveWithTheThirdDamagedAsync();
        await using var queue = Open();

        var page = queue.Query(new DeadLetterQuery { Take = 10 });
        var asyncPage = await queue.QueryAsync(new DeadLetterQuery { Take = 10 });

        foreach (var result in new[] { page, asyncPage })
        {
            result.Entries.Select(e => e.Id).Should().Equal(ids.Where((_, i) => i != 2), "only the damaged entry is left out");
            result.DamagedIds.Should().Equal([ids[2]], "the page names the entry it could not read");
            result.TotalMatches.Should().Be(5, "the damaged entry still matches: it is in the store until deleted");
        }

        // The way out the page shows: delete it by id.
        await queue.Store.DeleteAsync([ids[2]]);
        var after = queue.Query(new DeadLetterQuery { Take = 10 });
        after.Entries.Should().HaveCount(4);
        after.DamagedIds.Should().BeEmpty();
    }

    [Fact]
    public async Task SummarizeAndErrorFilters_WithADamagedRecord_SkipItsErrorAndGoOn()
    {
        var ids = await StoreFiveWithTheThirdDamagedAsync();
        await using var queue = Open();

        var groups = await queue.SummarizeAsync(DeadLetterGrouping.OperationType);
        groups.Should().ContainSingle().Which.Count.Should().Be(5, "the damaged entry is counted from the index");

        var matching = queue.Query(new DeadLetterQuery { ErrorMessageContains = "smtp", Take = 10 });
        matching.Entries.Select(e => e.Id).Should().Equal(ids.Where((_, i) => i != 2), "an entry whose error cannot be read does not match an error filter");
    }

    [Fact]
    public async Task Query_TheSamePageAgainAndAgain_LogsTheDamagedEntryOnce()
    {
        // A dashboard polls its page: the entry stays named on every page, the error is logged once.
        var ids = await StoreFiveWithTheThirdDamagedAsync();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Path, TimeProvider = _time, LoggerFactory = loggerFactory });

        for (var poll = 0; poll < 5; poll++)
        {
            queue.Query(new DeadLetterQuery { Take = 10 }).DamagedIds.Should().Equal([ids[2]]);
        }

        await queue.SummarizeAsync(DeadLetterGrouping.OperationType);
        collector.GetSnapshot().Where(r => r.Id.Id == 30).Should().ContainSingle("the damaged entry is logged the first time a listing meets it")
            .Which.Message.Should().Contain(ids[2]);
    }

    /// <summary>Five entries, compacted into the snapshot, then the third one's payload record damaged on disk.</summary>
    private async Task<List<string>> StoreFiveWithTheThirdDamagedAsync()
    {
        var payloads = Enumerable.Range(0, 5).Select(i => System.Text.Encoding.UTF8.GetBytes($"payload-{i}-" + new string('x', 40))).ToList();
        var ids = new List<string>();
        await using (var queue = Open())
        {
            foreach (var payload in payloads)
            {
                ids.Add((await queue.AddAsync("email", payload, new IOException("smtp down"))).Id);
                _time.Advance(TimeSpan.FromMilliseconds(1));
            }

            await ((FileDeadLetterStore)queue.Store).CompactAsync();
        }

        StoreFiles.Damage(Directory.GetFiles(_dir.Path, "snap-*.bin").Single(), payloads[2]);
        return ids;
    }

    private DeadLetterQueue Open() => DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Path, TimeProvider = _time });
}
