using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql;

namespace Resilience.Benchmarks;

/// <summary>
/// Processing throughput (part of --dlq, with --processing): entries retried and completed per second by
/// <see cref="DeadLetterProcessor"/> with a no-op handler that succeeds, from a backlog of due entries to none left.
/// PostgreSQL with 1 and 3 processor instances (3 queues, each with its own store and connection pool, on the same
/// tables in this one process), the file store with 1 (one process owns its directory, so 3 is not possible), and
/// SQLite with one transaction per claim and completion as a reference. Default options (4 attempts at once per
/// processor); PostgreSQL also with 32 at once.
/// Run: dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq --processing [--entries 5000]
/// </summary>
internal static class ProcessingBenchmark
{
    public static async Task RunAsync(string root, string[] args)
    {
        var entries = args.SkipWhile(a => a != "--entries").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5000);
        Console.WriteLine($"Processing throughput, {entries:N0} due entries, no-op succeeding handler, MaxConcurrentAttempts 4 per processor unless a row says otherwise");
        if (PostgreSqlDeadLetterBenchmark.ConnectionString is { } postgres)
        {
            var one = await PostgreSqlAsync(postgres, entries, instances: 1, concurrency: 4);
            Report("PostgreSQL processing, 1 instance", one, "entries/s");
            var three = await PostgreSqlAsync(postgres, entries, instances: 3, concurrency: 4);
            Report("PostgreSQL processing, 3 instances (1 process)", three, $"entries/s = {three / one:F2}x one instance");

            // Claims take at most the free attempt slots, so wider processors claim and commit more entries per round trip.
            var oneWide = await PostgreSqlAsync(postgres, entries, instances: 1, concurrency: 32);
            Report("PostgreSQL processing, 1 instance, 32 at once", oneWide, $"entries/s = {oneWide / one:F2}x 4 at once");
            var threeWide = await PostgreSqlAsync(postgres, entries, instances: 3, concurrency: 32);
            Report("PostgreSQL processing, 3 instances, 32 at once", threeWide, $"entries/s = {threeWide / oneWide:F2}x one instance");
        }
        else
        {
            Console.WriteLine("PostgreSQL processing: skipped, RESILIENCE_POSTGRES is not set (eng/postgres.sh start)");
        }

        var file = await FileAsync(root, entries);
        Report("file store processing, 1 instance", file, "entries/s");
        Console.WriteLine($"{"file store processing, 3 instances",-48} {"n/a",12} one process owns the directory (exclusive lock)");
        var sqlite = Sqlite(root, Math.Min(entries, 2000));
        Report("SQLite WAL FULL, 1 tx per claim+complete", sqlite, "entries/s (reference, 1 instance)");
    }

    private static void Report(string what, double rate, string unit) => Console.WriteLine($"{what,-48} {rate,12:N0} {unit}");

    private static DeadLetterEntry Due(string id) => DeadLetterBenchmark.Entry(id) with { Status = DeadLetterStatus.Pending, NextAttemptAt = null };

    private static async Task<double> PostgreSqlAsync(string connectionString, int count, int instances, int concurrency)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
        PostgreSqlDeadLetterStore Open(int i) => PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = connectionString,
            Schema = schema,
            QueueName = "bench",
            InstanceId = "bench-" + i.ToString(CultureInfo.InvariantCulture),
        });
        var stores = Enumerable.Range(0, instances).Select(Open).ToList();
        var queues = new List<DeadLetterQueue>();
        try
        {
            foreach (var chunk in Enumerable.Range(0, count).Select(i => Due($"pg-{i:D8}")).Chunk(1000))
            {
                await stores[0].SaveAsync(chunk);
            }

            queues.AddRange(stores.Select(store => DeadLetterQueue.Create(store, new DeadLetterQueueOptions { MaxConcurrentAttempts = concurrency })));
            foreach (var queue in queues)
            {
                queue.RegisterHandler("charge-card", static (_, _) => ValueTask.CompletedTask);
            }

            var watch = Stopwatch.StartNew();
            foreach (var queue in queues)
            {
                queue.Processor.Start();
            }

            await WaitAsync(() => stores[0].GetCounts().ByStatus.GetValueOrDefault(DeadLetterStatus.Recovered) >= count, TimeSpan.FromMilliseconds(20));
            return count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var queue in queues)
            {
                await queue.DisposeAsync();
            }

            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<double> FileAsync(string root, int count)
    {
        var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = Path.Combine(root, "processing") });
        await using (store)
        {
            foreach (var chunk in Enumerable.Range(0, count).Select(i => Due($"file-{i:D8}")).Chunk(1000))
            {
                await store.SaveAsync(chunk);
            }

            await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());
            queue.RegisterHandler("charge-card", static (_, _) => ValueTask.CompletedTask);
            var watch = Stopwatch.StartNew();
            queue.Processor.Start();
            await WaitAsync(() => store.GetCounts().ByStatus.GetValueOrDefault(DeadLetterStatus.Recovered) >= count, TimeSpan.FromMilliseconds(5));
            return count / watch.Elapsed.TotalSeconds;
        }
    }

    /// <summary>One processor's loop in SQLite: per entry one transaction that claims the oldest due row and completes it.</summary>
    private static double Sqlite(string root, int count)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "processing.db")};Pooling=False");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                CREATE TABLE dlq (id TEXT PRIMARY KEY, type TEXT, payload BLOB, status INTEGER, attempts INTEGER, next_at INTEGER, version INTEGER);
                CREATE INDEX dlq_due ON dlq (next_at) WHERE status = 0;
                """;
            setup.ExecuteNonQuery();
            using var load = connection.BeginTransaction();
            setup.Transaction = load;
            setup.CommandText = "INSERT INTO dlq VALUES ($id, 'charge-card', $payload, 0, 0, 0, 1)";
            var id = setup.Parameters.Add("$id", SqliteType.Text);
            setup.Parameters.AddWithValue("$payload", new byte[256]);
            for (var i = 0; i < count; i++)
            {
                id.Value = "sqlite-" + i.ToString("D8", CultureInfo.InvariantCulture);
                setup.ExecuteNonQuery();
            }

            load.Commit();
        }

        using var claim = connection.CreateCommand();
        claim.CommandText = "SELECT id, payload, version FROM dlq WHERE status = 0 AND next_at <= $now ORDER BY next_at LIMIT 1";
        claim.Parameters.AddWithValue("$now", long.MaxValue);
        using var complete = connection.CreateCommand();
        complete.CommandText = "UPDATE dlq SET status = 2, attempts = attempts + 1, version = version + 1 WHERE id = $id AND version = $version";
        var completeId = complete.Parameters.Add("$id", SqliteType.Text);
        var completeVersion = complete.Parameters.Add("$version", SqliteType.Integer);
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (true)
        {
            using var transaction = connection.BeginTransaction();
            claim.Transaction = transaction;
            complete.Transaction = transaction;
            using (var reader = claim.ExecuteReader())
            {
                if (!reader.Read())
                {
                    break;
                }

                completeId.Value = reader.GetString(0);
                _ = reader.GetFieldValue<byte[]>(1); // what the no-op handler is handed
                completeVersion.Value = reader.GetInt64(2);
            }

            done += complete.ExecuteNonQuery();
            transaction.Commit();
        }

        return done / watch.Elapsed.TotalSeconds;
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan poll)
    {
        var limit = Stopwatch.StartNew();
        while (!done())
        {
            if (limit.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("The processing benchmark did not finish within 10 minutes.");
            }

            await Task.Delay(poll);
        }
    }
}
