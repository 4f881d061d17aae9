using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary><see cref="DeadLetterQuery.AfterId"/> over the stores that filter in the queue (file and in-memory).</summary>
public sealed class KeysetQueryTests
{
    [Fact]
    public async Task Query_AfterId_StartsAfterThatIdAndCountsOnlyTheMatchesAfterIt()
    {
        await using var store = new InMemoryDeadLetterStore();
        await store.SaveAsync([.. Enumerable.Range(0, 10).Select(n => TestEntries.Create(n))]);
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());

        var page = await queue.QueryAsync(new DeadLetterQuery { AfterId = "entry-000006" });
        var typed = queue.Query(new DeadLetterQuery { AfterId = "entry-000003", OperationType = "charge-card", Take = 2 });

        page.Entries.Select(e => e.Id).Should().Equal("entry-000007", "entry-000008", "entry-000009");
        page.TotalMatches.Should().Be(3);
        typed.Entries.Select(e => e.Id).Should().Equal("entry-000004", "entry-000006");
        typed.TotalMatches.Should().Be(3, "entries 4, 6 and 8 are charges after entry 3");
    }

    [Fact]
    public async Task KeysetWalk_OverTheFileStore_VisitsEveryMatchOnceInIdOrder()
    {
        using var directory = new TempDirectory();
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory.Path });
        await queue.Store.SaveAsync([.. Enumerable.Range(0, 25).Select(n => TestEntries.Create(n))]);

        var seen = new List<string>();
        var query = new DeadLetterQuery { OperationType = "send-email", Take = 4 };
        while (true)
        {
            var page = await queue.QueryAsync(query);
            seen.AddRange(page.Entries.Select(e => e.Id));
            if (page.Entries.Count < query.Take)
            {
                break;
            }

            query = query with { AfterId = page.Entries[^1].Id };
        }

        seen.Should().Equal(Enumerable.Range(0, 25).Where(n => n % 2 == 1).Select(n => $"entry-{n:D6}"));
        (await queue.CountMatchingAsync(DeadLetterBulkAction.Discard, new DeadLetterQuery { AfterId = "entry-000020" }))
            .Should().Be(queue.CountMatching(DeadLetterBulkAction.Discard, new DeadLetterQuery { AfterId = "entry-000020" })).And.Be(4);
    }
}
