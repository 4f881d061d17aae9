using System.Text;
using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql.Tests;

public sealed class PostgreSqlDeadLetterStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _schema = PostgresDatabase.NewSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (PostgresDatabase.ConnectionString is not null)
        {
            await PostgresDatabase.DropSchemaAsync(_schema);
        }
    }

    private PostgreSqlDeadLetterStoreOptions Options(string queue = "q") => new()
    {
        ConnectionString = PostgresDatabase.RequireConnectionString(),
        Schema = _schema,
        QueueName = queue,
    };

    internal static DeadLetterEntry Entry(int n, DeadLetterStatus status = DeadLetterStatus.Pending) => new()
    {
        Id = $"01JSTORE{n:D18}",
        OperationType = "charge-card",
        CreatedAt = T0.AddSeconds(n),
        UpdatedAt = T0.AddSeconds(n),
        Error = new DeadLetterError { Type = "System.TimeoutException", Message = "timed out" },
        Payload = Encoding.UTF8.GetBytes("{}"),
        MaxAttempts = 3,
        NextAttemptAt = T0,
        Status = status,
    };

    [Theory]
    [InlineData("Orders", "QueueName")]
    [InlineData("1orders", "QueueName")]
    [InlineData("orders;drop", "QueueName")]
    [InlineData("", "QueueName")]
    public void Open_InvalidQueueName_IsRefusedNamingTheOption(string name, string option)
    {
        var act = () => PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions { ConnectionString = "Host=127.0.0.1", QueueName = name });

        act.Should().Throw<ArgumentException>().WithMessage($"*PostgreSqlDeadLetterStoreOptions.{option}*");
    }

    [Fact]
    public void Open_NoConnection_IsRefusedNamingBothOptions()
    {
        var act = () => PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions());

        act.Should().Throw<ArgumentException>().WithMessage("*ConnectionString*DataSource*");
    }

    [Fact]
    public void Open_SchemaNameOverTheLimit_IsRefused()
    {
        var act = () => PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions { ConnectionString = "Host=127.0.0.1", Schema = new string('s', 64) });

        act.Should().Throw<ArgumentException>().WithMessage("*PostgreSqlDeadLetterStoreOptions.Schema*");
    }

    [Theory]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("57P01", true)]
    [InlineData("08006", true)]
    [InlineData("08001", true)]
    [InlineData("23505", false)]
    [InlineData("42P01", false)]
    public void TransientSqlStates_AreTheRetryableOnes(string sqlState, bool transient)
        => PostgresTransientErrors.IsTransientSqlState(sqlState).Should().Be(transient);

    [Theory]
    [InlineData("40001", 3)]
    [InlineData("40P01", 3)]
    [InlineData("23505", 1)]
    public async Task RetryPipeline_RetriesTransientErrorsOnly(string sqlState, int expectedCalls)
    {
        // No delay between tries: the classification is under test, not the backoff (the retry strategy's own tests cover it).
        var pipeline = PostgresTransientErrors.CreatePipeline(maxRetries: 3, TimeProvider.System, baseDelay: TimeSpan.Zero);
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync(_ =>
        {
            if (++calls < 3 || sqlState == "23505")
            {
                throw new PostgresException("injected", "ERROR", "ERROR", sqlState);
            }

            return ValueTask.CompletedTask;
        });

        if (expectedCalls == 1)
        {
            (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(sqlState);
        }
        else
        {
            await act.Should().NotThrowAsync();
        }

        calls.Should().Be(expectedCalls);
    }

    [PostgresFact]
    public async Task DisposeAsync_Twice_IsANoOp()
    {
        // A queue that was disposed by one owner and again by another (a host, a test's clean-up) must not throw.
        var store = PostgreSqlDeadLetterStore.Open(Options());
        using (store.SubscribeToChanges(() => { }))
        {
        }

        await store.DisposeAsync();
        var again = () => store.DisposeAsync().AsTask();

        await again.Should().NotThrowAsync();
    }

    [PostgresFact]
    public async Task Open_ManyInstancesAtOnce_MigrateOnceAndAllWork()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => PostgreSqlDeadLetterStore.Open(Options()))));
        try
        {
            await stores[0].SaveAsync([Entry(1)]);
            stores.Should().AllSatisfy(s => s.Find(Entry(1).Id).Should().NotBeNull());
            (await ScalarAsync($"SELECT version FROM {_schema}.resilience_schema_versions WHERE component = 'dlq:q'")).Should().Be(new DeadLetterSchema(_schema, "q").LatestVersion);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [PostgresFact]
    public async Task Open_TablesAtVersion1_MigratesKeepingEntriesAndTheirInterruptedAttempts()
    {
        var schema = new DeadLetterSchema(_schema, "q");
        await using (var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString()))
        {
            await connection.OpenAsync();
            schema.Migrate(connection, targetVersion: 1, commandTimeoutSeconds: 30);

            // An entry written by a version-1 instance that died during an attempt: retrying, no lease columns yet.
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {schema.Table} (id, operation_type, created_at, updated_at, error_type, error_message, error_reason, payload, "
                + "context_keys, context_values, attempt_count, max_attempts, next_attempt_at, status, version, size_bytes) "
                + $"VALUES ('01JOLD000000000000000000001', 'charge-card', now(), now(), 'E', 'm', 0, '\\x7b7d', '{{}}', '{{}}', 1, 3, NULL, 1, nextval('{schema.VersionSequence}'), 100)",
                connection);
            await insert.ExecuteNonQueryAsync();
        }

        await using var store = PostgreSqlDeadLetterStore.Open(Options());

        (await ScalarAsync($"SELECT version FROM {_schema}.resilience_schema_versions WHERE component = 'dlq:q'")).Should().Be(new DeadLetterSchema(_schema, "q").LatestVersion);
        store.Find("01JOLD000000000000000000001")!.Status.Should().Be(DeadLetterStatus.Retrying);
        store.GetCounts().ByStatus[DeadLetterStatus.Retrying].Should().Be(1);
        var claimed = await store.ClaimDueAsync(["charge-card"], 10, T0);
        claimed.Should().ContainSingle().Which.AttemptCount.Should().Be(2, "the interrupted attempt still counts");
        claimed.Single().FailureGroup.Should().BeNull("rows from before version 3 have no group (the queue computes it)");
        claimed.Single().ReplayCount.Should().Be(0);
    }

    [PostgresFact]
    public async Task Open_TablesAtVersion3_AddsTheQueryIndexesAndOldRowsGetTheirGroupWhenSummarized()
    {
        var schema = new DeadLetterSchema(_schema, "q");
        await using (var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString()))
        {
            await connection.OpenAsync();
            schema.Migrate(connection, targetVersion: 3, commandTimeoutSeconds: 30);

            // A row written before failure groups were stored (NULL group), kept through version 3.
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {schema.Table} (id, operation_type, created_at, updated_at, error_type, error_message, error_reason, payload, "
                + "context_keys, context_values, attempt_count, max_attempts, next_attempt_at, status, version, size_bytes) "
                + $"VALUES ('01JOLD000000000000000000001', 'charge-card', now(), now(), 'System.TimeoutException', 'timed out', 0, '\\x7b7d', '{{}}', '{{}}', 3, 3, NULL, 3, nextval('{schema.VersionSequence}'), 100)",
                connection);
            await insert.ExecuteNonQueryAsync();
        }

        await using var store = PostgreSqlDeadLetterStore.Open(Options());
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());

        (await ScalarAsync($"SELECT version FROM {_schema}.resilience_schema_versions WHERE component = 'dlq:q'")).Should().Be(4);
        (await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{_schema}' AND indexname IN ('dlq_q_type_status_id', 'dlq_q_group_status_id', 'dlq_q_no_group')"))
            .Should().Be(3L);
        var expectedGroup = DeadLetterFingerprinter.Default.Compute("charge-card", store.Find("01JOLD000000000000000000001")!.Error);
        var groups = await queue.SummarizeAsync(DeadLetterGrouping.FailureGroup);
        groups.Should().ContainSingle().Which.Key.Should().Be(expectedGroup);
        store.Find("01JOLD000000000000000000001")!.FailureGroup.Should().Be(expectedGroup, "the group is stored once computed");
        (await queue.QueryAsync(new DeadLetterQuery { FailureGroup = expectedGroup })).TotalMatches.Should().Be(1);
    }

    [PostgresFact]
    public async Task FailureFields_RoundTripThroughSaveUpdateAndClaim()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());
        var entry = Entry(1) with { FailureGroup = "0123456789abcdef", FirstFailedAt = T0, LastFailedAt = T0.AddSeconds(5) };
        await store.SaveAsync([entry]);

        var stored = store.Find(entry.Id)!;
        stored.FailureGroup.Should().Be("0123456789abcdef");
        stored.FirstFailedAt.Should().Be(T0);
        stored.LastFailedAt.Should().Be(T0.AddSeconds(5));
        stored.ReplayCount.Should().Be(0);
        stored.LastReplayedAt.Should().BeNull();

        var replayed = await store.TryUpdateAsync(stored with { ReplayCount = 2, LastReplayedAt = T0.AddSeconds(9), FailureGroup = "fedcba9876543210" });
        replayed!.ReplayCount.Should().Be(2);
        var claimed = (await store.ClaimDueAsync(["charge-card"], 1, T0.AddSeconds(10))).Single();
        claimed.ReplayCount.Should().Be(2);
        claimed.LastReplayedAt.Should().Be(T0.AddSeconds(9));
        claimed.FailureGroup.Should().Be("fedcba9876543210");
        claimed.FirstFailedAt.Should().Be(T0);
    }

    [PostgresFact]
    public async Task Open_TablesNewerThanTheLibrary_IsRefused()
    {
        await using (PostgreSqlDeadLetterStore.Open(Options()))
        {
        }

        await ScalarAsync($"UPDATE {_schema}.resilience_schema_versions SET version = 99 RETURNING version");

        var act = () => PostgreSqlDeadLetterStore.Open(Options());

        act.Should().Throw<InvalidOperationException>().WithMessage("*schema version 99*");
    }

    [PostgresFact]
    public async Task ReadPageAsync_PagesByKeyInIdOrder()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());
        await store.SaveAsync([.. Enumerable.Range(1, 25).Reverse().Select(n => Entry(n))]);

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await store.ReadPageAsync(after, 10);
            if (page.Count == 0)
            {
                break;
            }

            pages++;
            seen.AddRange(page.Select(e => e.Id));
            after = page[^1].Id;
        }

        pages.Should().Be(3);
        seen.Should().Equal(Enumerable.Range(1, 25).Select(n => Entry(n).Id));
        (await store.ReadPageAsync(null, 100, DeadLetterStatus.Exhausted)).Should().BeEmpty();
    }

    [PostgresFact]
    public async Task SaveAsync_TextWithNul_IsRejectedNamingTheField()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());

        var act = async () => await store.SaveAsync([Entry(1) with { Error = new DeadLetterError { Type = "E", Message = "a\0b" } }]);

        (await act.Should().ThrowAsync<DeadLetterRejectedException>()).Which.Message.Should().Contain("error message").And.Contain("NUL");
        store.Count.Should().Be(0);
    }

    [PostgresFact]
    public async Task SaveAsync_ManyConcurrentProducers_AllLandWithDistinctVersions()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());

        await Task.WhenAll(Enumerable.Range(1, 200).Select(n => store.SaveAsync([Entry(n)]).AsTask()));

        store.Count.Should().Be(200);
        store.GetAll().Select(e => e.Version).Distinct().Should().HaveCount(200);
        store.GetCounts().ByStatus[DeadLetterStatus.Pending].Should().Be(200);
    }

    [PostgresFact]
    public async Task ClaimDueAsync_TwoInstances_NeverClaimTheSameEntry()
    {
        await using var a = PostgreSqlDeadLetterStore.Open(Options());
        await using var b = PostgreSqlDeadLetterStore.Open(Options());
        await a.SaveAsync([.. Enumerable.Range(1, 40).Select(n => Entry(n))]);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).ClaimDueAsync(["charge-card"], 7, T0).AsTask()));

        var ids = claims.SelectMany(c => c).Select(e => e.Id).ToList();
        ids.Should().OnlyHaveUniqueItems();
        ids.Should().HaveCount(40);
        a.GetCounts().ByStatus[DeadLetterStatus.Retrying].Should().Be(40);
        a.GetCounts().AttemptsMade.Should().Be(40);
    }

    [PostgresFact]
    public async Task TryRenewLeaseAsync_AfterAnotherInstanceTookTheEntryOver_IsLost()
    {
        await using var a = PostgreSqlDeadLetterStore.Open(Options());
        await using var b = PostgreSqlDeadLetterStore.Open(Options());
        await a.SaveAsync([Entry(1)]);
        var claimedByA = (await a.ClaimDueAsync(["charge-card"], 1, T0)).Single();

        (await b.ClaimDueAsync(["charge-card"], 1, T0 + a.LeaseDuration - TimeSpan.FromSeconds(1))).Should().BeEmpty("A's lease holds");
        (await a.TryRenewLeaseAsync(claimedByA, T0 + TimeSpan.FromSeconds(10))).Should().BeTrue();
        var takenOver = (await b.ClaimDueAsync(["charge-card"], 1, T0 + TimeSpan.FromSeconds(10) + a.LeaseDuration)).Single();

        takenOver.AttemptCount.Should().Be(2);
        (await a.TryRenewLeaseAsync(claimedByA, T0 + TimeSpan.FromSeconds(50))).Should().BeFalse();
        (await a.TryUpdateAsync(claimedByA with { Status = DeadLetterStatus.Recovered })).Should().BeNull("a late result from an expired lease is rejected");
        (await b.TryUpdateAsync(takenOver with { Status = DeadLetterStatus.Recovered })).Should().NotBeNull();
    }

    [PostgresFact]
    public async Task DeleteResolvedAsync_RemovesOnlyResolvedEntriesPastRetention()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());
        await store.SaveAsync([Entry(1, DeadLetterStatus.Recovered), Entry(2, DeadLetterStatus.Discarded), Entry(3, DeadLetterStatus.Exhausted), Entry(100, DeadLetterStatus.Recovered)]);

        var deleted = await store.DeleteResolvedAsync(T0.AddSeconds(50));

        deleted.Should().Be(2);
        store.GetAll().Select(e => e.Id).Should().Equal(Entry(3).Id, Entry(100).Id);
    }

    [PostgresFact]
    public async Task FailureGroups_OverTheQueue_SummarizeFilterArchiveAndSurviveReopen()
    {
        // The queue computes summaries from the store's entries for stores other than the file store.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var error = new DeadLetterError { Type = "System.TimeoutException", Message = "timed out", StackTrace = "   at Shop.Orders.Client.ChargeAsync()" };
        string group;
        await using (var store = PostgreSqlDeadLetterStore.Open(Options()))
        await using (var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions { TimeProvider = time }))
        {
            var a = await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), error);
            time.Advance(TimeSpan.FromSeconds(1));
            await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), error with { Message = "timed out again" });
            await queue.AddAsync("send-email", Encoding.UTF8.GetBytes("{}"), error with { Type = "System.IO.IOException" });
            group = a.FailureGroup!;

            var summaries = await queue.SummarizeAsync(DeadLetterGrouping.FailureGroup);
            summaries.Should().HaveCount(2);
            summaries[0].Key.Should().Be(group);
            summaries[0].Count.Should().Be(2);
            summaries[0].LatestMessage.Should().Be("timed out again");
            queue.CountMatching(DeadLetterBulkAction.Archive, new DeadLetterQuery { FailureGroup = group }).Should().Be(2);
            (await queue.ArchiveMatchingAsync(new DeadLetterQuery { FailureGroup = group })).Should().Be(2);
        }

        await using var reopened = PostgreSqlDeadLetterStore.Open(Options());
        await using var again = DeadLetterQueue.Create(reopened, new DeadLetterQueueOptions { TimeProvider = time });
        again.Query(new DeadLetterQuery { Status = DeadLetterStatus.Archived }).Entries.Should().HaveCount(2).And.OnlyContain(e => e.FailureGroup == group);
        (await again.SummarizeAsync(DeadLetterGrouping.FailureGroup)).Should().ContainSingle().Which.ErrorType.Should().Be("System.IO.IOException");
        (await again.RestoreMatchingAsync(new DeadLetterQuery { ErrorMessageContains = "AGAIN" })).Should().Be(1);
    }

    [PostgresFact]
    public async Task DeleteResolvedAsync_RemovesArchivedEntriesOnlyPastTheirOwnCutOff()
    {
        await using var store = PostgreSqlDeadLetterStore.Open(Options());
        await store.SaveAsync([Entry(1, DeadLetterStatus.Archived), Entry(2, DeadLetterStatus.Recovered), Entry(60, DeadLetterStatus.Archived)]);

        (await store.DeleteResolvedAsync(T0.AddSeconds(50))).Should().Be(1, "without an archive cut-off archived entries stay");
        (await store.DeleteResolvedAsync(T0.AddSeconds(50), archivedBefore: T0.AddSeconds(30))).Should().Be(1);

        store.GetAll().Select(e => e.Id).Should().Equal(Entry(60).Id);
    }

    private static async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
