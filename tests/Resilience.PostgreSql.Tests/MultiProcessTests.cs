using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests;

/// <summary>
/// Separate OS processes (tests/Resilience.PostgreSql.Worker) sharing one PostgreSQL queue. Processes run on real
/// time, so these tests wait for database states with a deadline. The entry count of the shared-queue test is
/// RESILIENCE_PG_PROCESS_ENTRIES (default the issue's 10,000, about 40 s on this machine under heavy load).
/// </summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    // The shared-queue test's wait grows with its entries (15 ms each, 150 s for 10,000), so a slow machine only fails
    // it when processing stalls, not because a larger count was asked for.
    private static TimeSpan DeadlineFor(int entries) => TimeSpan.FromMilliseconds(Math.Max(Deadline.TotalMilliseconds, entries * 15.0));
    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly List<Process> _workers = [];
    private PostgreSqlDeadLetterStore? _store;

    private PostgreSqlDeadLetterStore Store => _store!;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.ConnectionString is null)
        {
            return;
        }

        _store = PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions { ConnectionString = PostgresDatabase.ConnectionString, Schema = _schema, QueueName = "shared" });
        await ExecuteAsync($"CREATE TABLE {_schema}.attempts (entry_id text NOT NULL, attempt integer NOT NULL, instance text NOT NULL, exclusive boolean NOT NULL)");
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            worker.Dispose();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            await PostgresDatabase.DropSchemaAsync(_schema);
        }
    }

    private static int EntryCount => int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_PG_PROCESS_ENTRIES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 10_000;

    private static DeadLetterEntry Entry(int n, DateTimeOffset now) => new()
    {
        Id = $"01JPROC{n:D19}",
        OperationType = "work",
        CreatedAt = now,
        UpdatedAt = now,
        Error = new DeadLetterError { Type = "System.TimeoutException", Message = "first failure" },
        Payload = Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"),
        MaxAttempts = 1000,
        NextAttemptAt = now,
        Status = DeadLetterStatus.Pending,
    };

    private async Task AddEntriesAsync(int count)
    {
        var now = TimeProvider.System.GetUtcNow();
        for (var start = 0; start < count; start += 500)
        {
            await Store.SaveAsync([.. Enumerable.Range(start, Math.Min(500, count - start)).Select(n => Entry(n, now))]);
        }
    }

    private Process StartWorker(string instance, string mode, double failRate, TimeSpan lease)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Resilience.PostgreSql.Worker.dll"));
        foreach (var argument in new[] { _schema, "shared", instance, mode, failRate.ToString(CultureInfo.InvariantCulture), ((int)lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[PostgresDatabase.Variable] = PostgresDatabase.RequireConnectionString();
        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        _workers.Add(process);
        return process;
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                var errors = string.Join("\n", _workers.Where(w => w.HasExited).Select(w => w.StandardError.ReadToEnd()));
                throw new TimeoutException($"Not reached within {limit}: {what}. Counts: {Describe(Store.GetCounts())}. Exited workers' errors: {errors}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static string Describe(DeadLetterCounts counts) => string.Join(", ", counts.ByStatus.Select(p => $"{p.Key}={p.Value}"));

    private async Task<int> RecoveredAsync() => Store.GetCounts().ByStatus.GetValueOrDefault(DeadLetterStatus.Recovered);

    [PostgresFact]
    public async Task ThreeProcesses_ShareOneQueueWithRandomFailures_EveryEntryHandledNoneTwiceAtOnceCountsAddUp()
    {
        var count = EntryCount;
        await AddEntriesAsync(count);

        for (var i = 0; i < 3; i++)
        {
            StartWorker($"worker-{i}", "work", failRate: 0.3, lease: TimeSpan.FromSeconds(10));
        }

        await WaitForAsync(async () => await RecoveredAsync() == count, $"{count} entries recovered", DeadlineFor(count));

        var counts = Store.GetCounts();
        counts.Total.Should().Be(count);
        counts.ByStatus[DeadLetterStatus.Recovered].Should().Be(count);
        var attempts = await QueryAsync($"SELECT count(*), count(*) FILTER (WHERE NOT exclusive), count(DISTINCT entry_id), count(DISTINCT instance) FROM {_schema}.attempts");
        attempts[1].Should().Be(0L, "no entry is attempted by two instances at once");
        attempts[2].Should().Be((long)count, "every entry was handled");
        attempts[3].Should().Be(3L, "all three processes took part");
        attempts[0].Should().Be(counts.AttemptsMade, "every attempt the store counted ran once, and no attempt ran uncounted");
        (await QueryAsync($"SELECT count(*) FROM (SELECT entry_id, attempt FROM {_schema}.attempts GROUP BY 1, 2 HAVING count(*) > 1) d"))[0].Should().Be(0L, "no attempt number ran twice");
    }

    [PostgresFact]
    public async Task KilledProcess_MidAttempt_ItsEntriesAreCompletedByAnotherAfterTheLeaseExpires()
    {
        await AddEntriesAsync(6);
        var doomed = StartWorker("doomed", "hang", failRate: 0, lease: TimeSpan.FromSeconds(2));
        var started = new HashSet<string>();
        while (started.Count < 6)
        {
            var line = await doomed.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
            if (line is null)
            {
                throw new InvalidOperationException("The worker exited: " + await doomed.StandardError.ReadToEndAsync());
            }

            if (line.StartsWith("started ", StringComparison.Ordinal))
            {
                started.Add(line["started ".Length..]);
            }
        }

        doomed.Kill(); // SIGKILL: no shutdown, no outcome written, leases left to expire
        await doomed.WaitForExitAsync();
        Store.GetCounts().ByStatus[DeadLetterStatus.Retrying].Should().Be(6);

        StartWorker("survivor", "work", failRate: 0, lease: TimeSpan.FromSeconds(10));
        await WaitForAsync(async () => await RecoveredAsync() == 6, "6 entries recovered by the survivor");

        Store.GetAll().Should().AllSatisfy(e => e.AttemptCount.Should().Be(2, "the killed attempt counts"));
        var byInstance = await QueryAsync($"SELECT count(*) FILTER (WHERE instance = 'doomed'), count(*) FILTER (WHERE instance = 'survivor') FROM {_schema}.attempts");
        byInstance.Should().Equal(6L, 6L);
    }

    [PostgresFact]
    public async Task OperatorDiscard_WhileAnotherProcessIsAttempting_WinsAndTheAttemptIsCancelled()
    {
        await AddEntriesAsync(1);
        var worker = StartWorker("worker", "hang", failRate: 0, lease: TimeSpan.FromSeconds(3));
        var line = await worker.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        while (line is not null && !line.StartsWith("started ", StringComparison.Ordinal))
        {
            line = await worker.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        }

        var id = line!["started ".Length..];
        await using (var queue = DeadLetterQueue.Create(Store, new DeadLetterQueueOptions()))
        {
            await queue.DiscardAsync(id);
        }

        // The worker's next renewal (a third of the lease) finds the entry changed and cancels the handler.
        var cancelled = await worker.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        cancelled.Should().Be($"cancelled {id}");
        var final = Store.Find(id)!;
        final.Status.Should().Be(DeadLetterStatus.Discarded);
        final.AttemptCount.Should().Be(1);
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object[]> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return values;
    }
}
