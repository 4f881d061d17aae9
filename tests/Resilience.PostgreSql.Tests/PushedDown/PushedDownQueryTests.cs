using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests.PushedDown;

/// <summary>
/// Differential tests: the same entries in a file store and in PostgreSQL, the same queue operations on both; the
/// PostgreSQL queue answers them in SQL (<see cref="IDeadLetterQueryStore"/>) and must give the file store's answers,
/// without ever reading every entry.
/// </summary>
public sealed class PushedDownQueryTests(PushedDownQueryTests.ReadOnlyStores shared) : IClassFixture<PushedDownQueryTests.ReadOnlyStores>
{
    // The queue's bulk page (DeadLetterQueue.BulkPageSize, internal to the core library): the bulk tests cross it.
    private const int PageSize = 500;

    public static TheoryData<string> Filters => [.. FilterCases.Keys];

    private static readonly Dictionary<string, DeadLetterQuery> FilterCases = new()
    {
        ["all"] = new DeadLetterQuery(),
        ["archived included"] = new DeadLetterQuery { IncludeArchived = true },
        ["pending"] = new DeadLetterQuery { Status = DeadLetterStatus.Pending },
        ["exhausted"] = new DeadLetterQuery { Status = DeadLetterStatus.Exhausted },
        ["archived"] = new DeadLetterQuery { Status = DeadLetterStatus.Archived },
        ["type"] = new DeadLetterQuery { OperationType = "send-email" },
        ["type, archived included"] = new DeadLetterQuery { OperationType = "send-email", IncludeArchived = true },
        ["type and status"] = new DeadLetterQuery { OperationType = "ship-order", Status = DeadLetterStatus.Recovered },
        ["group"] = new DeadLetterQuery { FailureGroup = "grp-2" },
        ["error type"] = new DeadLetterQuery { ErrorType = "System.IO.IOException" },
        ["message"] = new DeadLetterQuery { ErrorMessage = "Failure 3 on Order" },
        ["message contains, other case"] = new DeadLetterQuery { ErrorMessageContains = "1 ON order" },
        ["created range"] = new DeadLetterQuery { CreatedFrom = TwoStores.T0.AddSeconds(100), CreatedTo = TwoStores.T0.AddSeconds(900) },
        ["after id"] = new DeadLetterQuery { AfterId = "entry-000640" },
        ["everything at once"] = new DeadLetterQuery
        {
            OperationType = "charge-card",
            ErrorType = "System.TimeoutException",
            ErrorMessageContains = "failure",
            CreatedFrom = TwoStores.T0.AddSeconds(10),
            CreatedTo = TwoStores.T0.AddSeconds(1100),
            IncludeArchived = true,
        },
        ["no match"] = new DeadLetterQuery { OperationType = "nobody" },
    };

    [PostgresTheory]
    [MemberData(nameof(Filters))]
    public async Task QueryAndQueryAsync_PagesAndTotals_EqualTheFileStore(string filter)
    {
        var stores = await shared.GetAsync();
        var query = FilterCases[filter];

        foreach (var (skip, take) in new[] { (0, 100), (37, 250), (0, 10_000) })
        {
            var expected = await stores.File.QueryAsync(query with { Skip = skip, Take = take });
            var actual = await stores.PostgresQueue.QueryAsync(query with { Skip = skip, Take = take });

            actual.TotalMatches.Should().Be(expected.TotalMatches);
            actual.Entries.Select(e => (e.Id, e.Status)).Should().Equal(expected.Entries.Select(e => (e.Id, e.Status)));

            // The synchronous form runs the same statements through the store's synchronous members.
            var actualSync = stores.PostgresQueue.Query(query with { Skip = skip, Take = take });
            actualSync.TotalMatches.Should().Be(expected.TotalMatches);
            actualSync.Entries.Select(e => (e.Id, e.Status)).Should().Equal(expected.Entries.Select(e => (e.Id, e.Status)));
        }

        // Keyset paging: each page starts after the previous page's last id.
        var expectedKeys = await WalkAsync(stores.File, query);
        var actualKeys = await WalkAsync(stores.PostgresQueue, query);
        actualKeys.Should().Equal(expectedKeys);
        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresTheory]
    [MemberData(nameof(Filters))]
    public async Task SummarizeAsync_EveryGrouping_EqualsTheFileStore(string filter)
    {
        var stores = await shared.GetAsync();
        var query = FilterCases[filter];

        foreach (var grouping in Enum.GetValues<DeadLetterGrouping>())
        {
            var expected = await stores.File.SummarizeAsync(grouping, query);
            var actual = await stores.PostgresQueue.SummarizeAsync(grouping, query);

            actual.Should().Equal(expected, $"grouped by {grouping}");
        }

        foreach (var action in Enum.GetValues<DeadLetterBulkAction>())
        {
            (await stores.PostgresQueue.CountMatchingAsync(action, query)).Should().Be(stores.File.CountMatching(action, query), $"{action} would touch as many");
            stores.PostgresQueue.CountMatching(action, query).Should().Be(stores.File.CountMatching(action, query), $"{action} would touch as many (synchronous)");
        }

        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task ReplayMatchingAsync_MoreMatchesThanOnePage_ReplaysExactlyTheMatchesSpreadInIdOrder()
    {
        await using var stores = await TwoStores.CreateAsync(2400);
        var filter = new DeadLetterQuery { CreatedFrom = TwoStores.T0.AddSeconds(5) };
        var matches = await stores.File.CountMatchingAsync(DeadLetterBulkAction.Replay, filter);
        matches.Should().BeGreaterThan(PageSize, "the replay must cross page boundaries");
        foreach (var queue in new[] { stores.File, stores.PostgresQueue })
        {
            foreach (var type in new[] { "charge-card", "send-email", "ship-order" })
            {
                queue.RegisterHandler(type, (_, _) => ValueTask.CompletedTask);
            }
        }

        var replayedFile = await stores.File.ReplayMatchingAsync(filter, maxPerSecond: 1000);
        var replayedPostgres = await stores.PostgresQueue.ReplayMatchingAsync(filter, maxPerSecond: 1000);

        replayedPostgres.Should().Be(matches).And.Be(replayedFile);
        (await StateAsync(stores.PostgresQueue)).Should().Equal(await StateAsync(stores.File));
        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task ReplayMatchingAsync_MatchWithoutHandler_ReplaysNothing()
    {
        await using var stores = await TwoStores.CreateAsync(30);
        stores.PostgresQueue.RegisterHandler("charge-card", (_, _) => ValueTask.CompletedTask);
        var before = await StateAsync(stores.PostgresQueue);

        var act = async () => await stores.PostgresQueue.ReplayMatchingAsync(new DeadLetterQuery { Status = DeadLetterStatus.Exhausted }, 10);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("No handler is registered for operation type '*'*");
        (await StateAsync(stores.PostgresQueue)).Should().Equal(before);
    }

    [PostgresFact]
    public async Task PurgeAsync_MoreMatchesThanOnePage_DeletesExactlyTheMatches()
    {
        await using var stores = await TwoStores.CreateAsync(2400);
        var filter = new DeadLetterQuery { FailureGroup = "grp-1", IncludeArchived = true };

        var purgedFile = await stores.File.PurgeAsync(filter);
        var purgedPostgres = await stores.PostgresQueue.PurgeAsync(filter);

        purgedPostgres.Should().Be(purgedFile).And.BeGreaterThan(PageSize);
        (await StateAsync(stores.PostgresQueue)).Should().Equal(await StateAsync(stores.File));
        stores.Postgres.Count.Should().Be(2400 - purgedPostgres);
        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task DiscardArchiveRestoreMatching_MoreMatchesThanOnePage_EqualTheFileStore()
    {
        await using var stores = await TwoStores.CreateAsync(2400);
        var steps = new (string Name, Func<DeadLetterQueue, ValueTask<int>> Act)[]
        {
            ("discard one type", q => q.DiscardMatchingAsync(new DeadLetterQuery { OperationType = "charge-card" })),
            ("archive a message", q => q.ArchiveMatchingAsync(new DeadLetterQuery { ErrorMessageContains = "failure 2" })),
            ("restore a group", q => q.RestoreMatchingAsync(new DeadLetterQuery { FailureGroup = "grp-2" })),
        };

        foreach (var (name, act) in steps)
        {
            var expected = await act(stores.File);
            (await act(stores.PostgresQueue)).Should().Be(expected, name);
            (await StateAsync(stores.PostgresQueue)).Should().Equal(await StateAsync(stores.File), name);
        }

        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task AddAsync_FullWithDropOldestExhausted_DropsTheSameOldestEntriesAcrossPages()
    {
        // 2,400 entries (1,600 exhausted) under a limit of 1,700: an add must drop 701 exhausted entries, more than one page.
        var make = (int n) => n % 3 == 0 ? TwoStores.Entry(n) : TwoStores.Entry(n) with { Status = DeadLetterStatus.Exhausted, NextAttemptAt = null };
        await using var stores = await TwoStores.CreateAsync(2400, make, configure: o =>
        {
            o.MaxEntries = 1700;
            o.OverflowPolicy = OverflowPolicy.DropOldestExhausted;
        });
        var error = new DeadLetterError { Type = "E", Message = "m" };

        await stores.File.AddAsync("charge-card", new byte[] { 1 }, error);
        await stores.PostgresQueue.AddAsync("charge-card", new byte[] { 1 }, error);

        var file = (await StateAsync(stores.File)).Where(s => s.Id.StartsWith("entry-", StringComparison.Ordinal));
        var postgres = (await StateAsync(stores.PostgresQueue)).Where(s => s.Id.StartsWith("entry-", StringComparison.Ordinal));
        postgres.Should().Equal(file);
        stores.Postgres.Count.Should().Be(1700);
        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task SynchronousFailureGroupFilter_EntriesStoredWithoutGroup_MatchByTheComputedGroupAndGetItStored()
    {
        await using var stores = await TwoStores.CreateAsync(700, n => TwoStores.Entry(n) with { FailureGroup = null });
        var group = (await stores.File.SummarizeAsync(DeadLetterGrouping.FailureGroup))[0].Key;

        var expected = stores.File.Query(new DeadLetterQuery { FailureGroup = group, Take = 1000 });
        var actual = stores.PostgresQueue.Query(new DeadLetterQuery { FailureGroup = group, Take = 1000 });

        actual.Entries.Select(e => e.Id).Should().Equal(expected.Entries.Select(e => e.Id)).And.NotBeEmpty();
        stores.PostgresQueue.CountMatching(DeadLetterBulkAction.Discard, new DeadLetterQuery { FailureGroup = group })
            .Should().Be(stores.File.CountMatching(DeadLetterBulkAction.Discard, new DeadLetterQuery { FailureGroup = group }));
        stores.Postgres.FillMissingFailureGroups(_ => "unused").Should().Be(0, "every row has its group now");
        stores.Postgres.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task FailureGroupFilter_EntriesStoredWithoutGroup_MatchByTheComputedGroupAndGetItStored()
    {
        // Every entry lacks a group, as rows written before failure groups existed do: the queue fills them in first.
        await using var stores = await TwoStores.CreateAsync(700, n => TwoStores.Entry(n) with { FailureGroup = null });
        var versionBefore = stores.Postgres.Find("entry-000001")!.Version;
        var group = (await stores.File.SummarizeAsync(DeadLetterGrouping.FailureGroup))[0].Key;

        var expected = await stores.File.QueryAsync(new DeadLetterQuery { FailureGroup = group, Take = 1000 });
        var actual = await stores.PostgresQueue.QueryAsync(new DeadLetterQuery { FailureGroup = group, Take = 1000 });

        actual.Entries.Select(e => e.Id).Should().Equal(expected.Entries.Select(e => e.Id)).And.NotBeEmpty();
        actual.Entries.Should().OnlyContain(e => e.FailureGroup == group);
        (await stores.Postgres.FillMissingFailureGroupsAsync(_ => "unused")).Should().Be(0, "every row has its group now");
        stores.Postgres.Find("entry-000001")!.Version.Should().Be(versionBefore, "a derived group is no change an attempt could lose");
    }

    private static async Task<List<string>> WalkAsync(DeadLetterQueue queue, DeadLetterQuery query)
    {
        var ids = new List<string>();
        var page = query with { Take = 97 };
        while (true)
        {
            var result = await queue.QueryAsync(page);
            ids.AddRange(result.Entries.Select(e => e.Id));
            if (result.Entries.Count < page.Take)
            {
                return ids;
            }

            page = page with { AfterId = result.Entries[^1].Id };
        }
    }

    /// <summary>Every entry's id, status, next attempt and replay count, in id order (versions differ between stores).</summary>
    private static async Task<List<(string Id, DeadLetterStatus Status, DateTimeOffset? Next, int Replays)>> StateAsync(DeadLetterQueue queue)
    {
        var page = await queue.QueryAsync(new DeadLetterQuery { IncludeArchived = true, Take = 10_000 });
        return [.. page.Entries.Select(e => (e.Id, e.Status, e.NextAttemptAt, e.ReplayCount))];
    }

    /// <summary>One pair of stores for the tests that only read (queries, summaries, dry-run counts), opened once.</summary>
    public sealed class ReadOnlyStores : IAsyncLifetime
    {
        private TwoStores? _stores;

        public Task InitializeAsync() => Task.CompletedTask;

        internal async Task<TwoStores> GetAsync() => _stores ??= await TwoStores.CreateAsync(1200);

        public async Task DisposeAsync()
        {
            if (_stores is not null)
            {
                await _stores.DisposeAsync();
            }
        }
    }
}
