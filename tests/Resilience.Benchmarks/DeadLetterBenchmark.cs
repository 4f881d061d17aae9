using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Resilience.DeadLetter;

namespace Resilience.Benchmarks;

/// <summary>
/// A console harness (durability is about fsync, which BenchmarkDotNet's many short iterations measure badly):
/// raw fsync rate, durable enqueue with 1 and 64 producers, SQLite in the same run, buffered enqueue and reopen time.
/// Run: dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq [--entries 1000000]
/// </summary>
internal static class DeadLetterBenchmark
{
    private const int PayloadBytes = 256;

    public static async Task RunAsync(string[] args)
    {
        var reopenEntries = args.SkipWhile(a => a != "--entries").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(1_000_000);
        var root = Path.Combine(Path.GetTempPath(), "resilience-dlq-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine($"Dead letter queue benchmark, {Environment.ProcessorCount} cores, {RuntimeInfo()}, directory {root}");
            var fsync = MeasureFsync(root, 500);
            Report("raw fsync (256 B write + FlushToDisk)", fsync, "fsyncs/s");

            var single = await EnqueueAsync(root, "single", DurabilityMode.Always, producers: 1, perProducer: 2000);
            Report("durable enqueue, 1 producer", single, $"entries/s = {single / fsync:F2} per fsync");

            var many = await EnqueueAsync(root, "many", DurabilityMode.Always, producers: 64, perProducer: 400);
            Report("durable enqueue, 64 producers", many, $"entries/s = {many / single:F1}x one producer");

            if (PostgreSqlDeadLetterBenchmark.ConnectionString is { } postgres)
            {
                var pgSingle = await PostgreSqlDeadLetterBenchmark.EnqueueAsync(postgres, producers: 1, perProducer: 2000);
                Report("PostgreSQL enqueue, 1 producer", pgSingle, "entries/s");
                var pgMany = await PostgreSqlDeadLetterBenchmark.EnqueueAsync(postgres, producers: 64, perProducer: 200);
                Report("PostgreSQL enqueue, 64 producers", pgMany, $"entries/s = {pgMany / pgSingle:F1}x one producer (target >= 5,000/s)");
            }
            else
            {
                Console.WriteLine("PostgreSQL enqueue: skipped, RESILIENCE_POSTGRES is not set (eng/postgres.sh start)");
            }

            var sqlite = MeasureSqlite(root, 2000);
            Report("SQLite WAL synchronous=FULL, 1 tx per insert", sqlite, $"inserts/s; 64 producers = {many / sqlite:F1}x SQLite");

            var (buffered, bytesPerEntry) = await BufferedAsync(root, 200_000);
            Report("OS-buffered enqueue, 1 producer", buffered, $"entries/s, {bytesPerEntry:F0} B allocated per entry (entry object included)");

            var (open, count, bytes) = await ReopenAsync(root, reopenEntries);
            Console.WriteLine($"{"reopen",-48} {open.TotalMilliseconds,12:F0} ms for {count:N0} entries ({bytes / 1e6:F0} MB, {bytes / 1e6 / open.TotalSeconds:F0} MB/s)");
            var empty = MeasureEmptyOpen(root);
            Console.WriteLine($"{"open of an empty store",-48} {empty.TotalMilliseconds,12:F1} ms");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Report(string what, double rate, string unit) => Console.WriteLine($"{what,-48} {rate,12:N0} {unit}");

    private static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    internal static DeadLetterEntry Entry(string id) => new()
    {
        Id = id,
        OperationType = "charge-card",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Error = new DeadLetterError { Type = "System.Net.Http.HttpRequestException", Message = "503" },
        Payload = new byte[PayloadBytes],
        MaxAttempts = 10,
    };

    private static double MeasureFsync(string root, int count)
    {
        var path = Path.Combine(root, "fsync.bin");
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        var data = new byte[PayloadBytes];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            RandomAccess.Write(handle, data, (long)i * PayloadBytes);
            RandomAccess.FlushToDisk(handle);
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> EnqueueAsync(string root, string name, DurabilityMode durability, int producers, int perProducer)
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = Path.Combine(root, name), Durability = durability });
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await store.SaveAsync([Entry($"{name}-{p:D3}-{i:D8}")]);
            }
        })));
        return producers * perProducer / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double Rate, double BytesPerEntry)> BufferedAsync(string root, int count)
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = Path.Combine(root, "buffered"), Durability = DurabilityMode.OsBuffered });
        for (var i = 0; i < 1000; i++)
        {
            await store.SaveAsync([Entry($"warm-{i:D8}")]);
        }

        var entries = new DeadLetterEntry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = Entry($"buffered-{i:D8}");
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await store.SaveAsync([entries[i]]);
        }

        var elapsed = watch.Elapsed;
        return (count / elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
    }

    private static double MeasureSqlite(string root, int count)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "baseline.db")};Pooling=False");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE dlq (id TEXT PRIMARY KEY, type TEXT, payload BLOB, error TEXT);";
            pragma.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO dlq (id, type, payload, error) VALUES ($id, 'charge-card', $payload, '503')";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        insert.Parameters.AddWithValue("$payload", new byte[PayloadBytes]);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            id.Value = "sqlite-" + i.ToString("D8", CultureInfo.InvariantCulture);
            insert.ExecuteNonQuery();
            transaction.Commit();
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(TimeSpan Open, int Count, long Bytes)> ReopenAsync(string root, int count)
    {
        var directory = Path.Combine(root, "reopen");
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, Durability = DurabilityMode.OsBuffered }))
        {
            const int Batch = 1000;
            var pending = new List<Task>();
            for (var i = 0; i < count; i += Batch)
            {
                var batch = Enumerable.Range(i, Math.Min(Batch, count - i)).Select(n => Entry($"reopen-{n:D8}")).ToArray();
                pending.Add(store.SaveAsync(batch).AsTask());
                if (pending.Count == 64)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }

            await Task.WhenAll(pending);
        }

        var bytes = Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);
        GC.Collect();
        var watch = Stopwatch.StartNew();
        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory });
        var elapsed = watch.Elapsed;
        return (elapsed, reopened.Count, bytes);
    }

    private static TimeSpan MeasureEmptyOpen(string root)
    {
        var directory = Path.Combine(root, "empty");
        FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory }).DisposeAsync().AsTask().GetAwaiter().GetResult();
        var watch = Stopwatch.StartNew();
        FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory }).DisposeAsync().AsTask().GetAwaiter().GetResult();
        return watch.Elapsed;
    }
}
