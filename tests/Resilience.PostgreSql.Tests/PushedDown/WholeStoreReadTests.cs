using System.Text;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests.PushedDown;

/// <summary>A queue's whole life over PostgreSQL (add, process, inspect, retain) without one read of every entry.</summary>
public sealed class WholeStoreReadTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _schema = PostgresDatabase.NewSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (PostgresDatabase.ConnectionString is not null)
        {
            await PostgresDatabase.DropSchemaAsync(_schema);
        }
    }

    [PostgresFact]
    public async Task AddProcessInspectAndRetain_NeverReadEveryEntry()
    {
        var time = new FakeTimeProvider(Start);
        await using var store = new CountingStore(PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = PostgresDatabase.RequireConnectionString(),
            Schema = _schema,
            QueueName = "q",
            PollInterval = TimeSpan.FromSeconds(1),
        }));
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions { TimeProvider = time, Randomizer = () => 0.5 });
        queue.RegisterHandler("charge-card", (_, _) => ValueTask.CompletedTask);
        for (var i = 0; i < 40; i++)
        {
            await queue.AddAsync("charge-card", Encoding.UTF8.GetBytes("{}"), new TimeoutException("timed out " + (i % 3)));
        }

        queue.Processor.Start();
        for (var i = 0; i < 200 && queue.GetStatistics().Recovered < 40; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await queue.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        queue.GetStatistics().Recovered.Should().Be(40);
        (await queue.SummarizeAsync(DeadLetterGrouping.FailureGroup, new DeadLetterQuery { Status = DeadLetterStatus.Recovered })).Sum(g => g.Count).Should().Be(40);
        (await queue.QueryAsync(new DeadLetterQuery { Status = DeadLetterStatus.Recovered, Take = 10 })).TotalMatches.Should().Be(40);
        (await queue.CountMatchingAsync(DeadLetterBulkAction.Replay, new DeadLetterQuery { Status = DeadLetterStatus.Recovered })).Should().Be(40);

        for (var i = 0; i < 50 && store.GetCounts().Total > 0; i++)
        {
            time.Advance(TimeSpan.FromDays(1));
            await queue.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        store.GetCounts().Total.Should().Be(0, "retention deleted the recovered entries");
        store.GetAllCalls.Should().Be(0);
    }

    [PostgresFact]
    public async Task SynchronousQueryAndCountMatching_NeverReadEveryEntry()
    {
        var time = new FakeTimeProvider(Start);
        await using var store = new CountingStore(PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = PostgresDatabase.RequireConnectionString(),
            Schema = _schema,
            QueueName = "q",
        }));
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions { TimeProvider = time });
        for (var i = 0; i < 30; i++)
        {
            await queue.AddAsync(i % 2 == 0 ? "charge-card" : "send-email", Encoding.UTF8.GetBytes("{}"), new TimeoutException("timed out " + (i % 3)));
        }

        var group = (await queue.QueryAsync(new DeadLetterQuery { Take = 1 })).Entries[0].FailureGroup!;

        var page = queue.Query(new DeadLetterQuery { OperationType = "charge-card", Skip = 2, Take = 5 });
        var all = queue.Query(new DeadLetterQuery { Take = 100 });
        var byGroup = queue.Query(new DeadLetterQuery { FailureGroup = group, Take = 100 });
        var discardable = queue.CountMatching(DeadLetterBulkAction.Discard, new DeadLetterQuery { ErrorMessageContains = "OUT 1" });
        var restorable = queue.CountMatching(DeadLetterBulkAction.Restore, new DeadLetterQuery());

        page.TotalMatches.Should().Be(15);
        page.Entries.Should().HaveCount(5);
        page.Entries.Select(e => e.Id).Should().Equal(all.Entries.Where(e => e.OperationType == "charge-card").Skip(2).Take(5).Select(e => e.Id));
        all.TotalMatches.Should().Be(30);
        all.Entries.Select(e => e.Id).Should().BeInAscendingOrder(StringComparer.Ordinal);
        byGroup.TotalMatches.Should().Be(all.Entries.Count(e => e.FailureGroup == group));
        discardable.Should().Be(10);
        restorable.Should().Be(0);
        store.GetAllCalls.Should().Be(0);
    }
}
