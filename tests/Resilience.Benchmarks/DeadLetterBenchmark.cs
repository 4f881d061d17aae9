using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Resilience.DeadLetter;

namespace Resilience.Benchmarks;

/// <summary>
/// A console harness (durability is about fsync, which BenchmarkDotNet's many short iterations measure badly):
/// raw fsync rate, durable enqueue with 1 and 64 producers, SQLite in the same run, buffered enqueue and reopen time.
/// Run: dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq [--entries 1000000] [--10m] [--reopen-only] [--buffered-only] [--durable-only] [--processing]
/// (--10m reopens 10,000,000 entries: about 4.7 GB of temporary files and several minutes to write them).
/// </summary>
internal static class DeadLetterBenchmark
{
    private const int PayloadBytes = 256;

    public static async Task RunAsync(string[] args)
    {
        var reopenEntries = args.Contains("--10m") ? 10_000_000
            : args.SkipWhile(a => a != "--entries").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(1_000_000);
        var root = Path.Combine(Path.GetTempPath(), "resilience-dlq-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine($"Dead letter queue benchmark, {Environment.ProcessorCount} cores, {RuntimeInfo()}, directory {root}");
            if (args.Contains("--processing"))
            {
                // Only the processing throughput rows (PostgreSQL 1 and 3 instances, file store, SQLite reference).
                await ProcessingBenchmark.RunAsync(root, args);
                return;
            }

            if (args.Contains("--buffered-only"))
            {
                // Only the OS-buffered row, several rounds (min CPU time per entry is what a loaded machine distorts least).
                for (var round = 0; round < 3; round++)
                {
                    var (rate, perEntry, cpu) = await BufferedAsync(Path.Combine(root, "round-" + round), 200_000);
                    Report("OS-buffered enqueue, 1 producer", rate, $"entries/s, {perEntry:F0} B allocated per entry, {cpu:F2} us CPU per entry");
                }

                return;
            }

            if (args.Contains("--reopen-only"))
            {
                // Only the scale rows (compaction, reopen, resident memory, reads at scale): quicker to iterate on.
                await ReopenAsync(root, reopenEntries);
                return;
            }

            var (single, many) = await DurableAsync(root);
            if (args.Contains("--durable-only"))
            {
                return;
            }

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

            // A warm-up round first (the store's code is still being compiled to its final tier during the first
            // 200,000 writes, which run at about a third of the speed), then two measured rounds.
            await BufferedAsync(Path.Combine(root, "buffered-warm-up"), 200_000);
            for (var round = 1; round <= 2; round++)
            {
                var (buffered, bytesPerEntry, cpuPerEntry) = await BufferedAsync(Path.Combine(root, "buffered-" + round), 200_000);
                Report($"OS-buffered enqueue, 1 producer (round {round})", buffered, $"entries/s, {bytesPerEntry:F0} B allocated per entry (entry object included), {cpuPerEntry:F2} us CPU per entry");
            }

            await ReopenAsync(root, reopenEntries);
            var empty = MeasureEmptyOpen(root);
            Console.WriteLine($"{"open of an empty store",-48} {empty.TotalMilliseconds,12:F1} ms");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The durable rows: one unmeasured round (the store's code reaches its final compiled tier during it; the first
    /// writes run at about half the speed), then three rounds of the raw references, the store with 1 and with 64
    /// producers, and SQLite, side by side, so each ratio compares figures measured within the same second or two.
    /// Reports every round and the median of each ratio; returns the median rates of 1 and 64 producers.
    /// </summary>
    private static async Task<(double Single, double Many)> DurableAsync(string root)
    {
        await EnqueueAsync(root, "warm-up-single", DurabilityMode.Always, producers: 1, perProducer: 2000);
        var (_, _, recordBytes) = await EnqueueAsync(root, "warm-up-many", DurabilityMode.Always, producers: 64, perProducer: 2000);
        await QueueEnqueueAsync(root, "warm-up-queue", producers: 64, perProducer: 1000);
        var rounds = new List<(double Fsync, double Group, double Single, double Many, double PerFlush, double Sqlite, double Queue, double RecordGroup)>();
        for (var round = 1; round <= 3; round++)
        {
            var fsync = MeasureFsync(root, 500);
            var group = MeasureGroupCommit(root, 200, 64, PayloadBytes);

            // The same append + fsync with records as large as the store's (header, id, type, error and commit share
            // beside the 256 B payload): how many of them one fsync carries is what 64 producers can reach at most.
            var recordGroup = MeasureGroupCommit(root, 200, 64, recordBytes);
            var (single, _, _) = await EnqueueAsync(root, "single-" + round, DurabilityMode.Always, producers: 1, perProducer: 2000);

            // Records per flush is the figure a loaded disk does not distort: the rate is at most that many per fsync.
            var (many, perFlush, _) = await EnqueueAsync(root, "many-" + round, DurabilityMode.Always, producers: 64, perProducer: 400);
            var queue = await QueueEnqueueAsync(root, "queue-" + round, producers: 64, perProducer: 400);
            var sqlite = MeasureSqlite(Path.Combine(root, "sqlite-" + round), 2000);
            rounds.Add((fsync, group, single, many, perFlush, sqlite, queue, recordGroup));
            Console.WriteLine($"round {round}");
            Report("  raw fsync (256 B write + FlushToDisk)", fsync, "fsyncs/s");
            Report("  raw group commit (64 x 256 B append + fsync)", group, "records/s");
            Report($"  raw group commit (64 x {recordBytes} B, the store's size)", recordGroup, $"records/s = {recordGroup / single:F1}x one producer, the most 64 producers could reach");
            Report("  durable enqueue, 1 producer", single, $"entries/s = {single / fsync:F2} per fsync");
            Report("  durable enqueue, 64 producers", many, $"entries/s = {many / single:F1}x one producer, {many / group:F2}x raw group commit, {many / recordGroup:F2}x at the store's size, {perFlush:F1} records per fsync");
            Report("  durable DeadLetterQueue.AddAsync, 64 producers", queue, $"entries/s = {queue / single:F1}x one producer, {queue / group:F2}x raw group commit (ids the queue makes)");
            Report("  SQLite WAL synchronous=FULL, 1 tx per insert", sqlite, $"inserts/s; 64 producers = {many / sqlite:F1}x SQLite");
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        Console.WriteLine("median of the three rounds");
        var medianSingle = Median(rounds.Select(r => r.Single));
        var medianMany = Median(rounds.Select(r => r.Many));
        Report("  durable enqueue, 1 producer", medianSingle, $"entries/s = {Median(rounds.Select(r => r.Single / r.Fsync)):F2} per fsync");
        Report("  durable enqueue, 64 producers", medianMany, $"entries/s = {Median(rounds.Select(r => r.Many / r.Single)):F1}x one producer, {Median(rounds.Select(r => r.Many / r.Group)):F2}x raw group commit, {Median(rounds.Select(r => r.Many / r.Sqlite)):F1}x SQLite, {Median(rounds.Select(r => r.PerFlush)):F1} records per fsync");
        Report($"  raw group commit at the store's size ({recordBytes} B)", Median(rounds.Select(r => r.RecordGroup)), $"records/s = {Median(rounds.Select(r => r.RecordGroup / r.Single)):F1}x one producer (the disk's limit for the 64-producer ratio), 64 producers reach {Median(rounds.Select(r => r.Many / r.RecordGroup)):F2}x of it");
        Report("  durable DeadLetterQueue.AddAsync, 64 producers", Median(rounds.Select(r => r.Queue)), $"entries/s = {Median(rounds.Select(r => r.Queue / r.Single)):F1}x one producer, {Median(rounds.Select(r => r.Queue / r.Group)):F2}x raw group commit, {Median(rounds.Select(r => r.Queue / r.Sqlite)):F1}x SQLite");
        return (medianSingle, medianMany);
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

    /// <summary>The disk's group-commit limit: one append of <paramref name="batch"/> records of <paramref name="recordBytes"/>, then one fsync.</summary>
    private static double MeasureGroupCommit(string root, int batches, int batch, int recordBytes)
    {
        var path = Path.Combine(root, "group.bin");
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        var data = new byte[recordBytes * batch];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            RandomAccess.Write(handle, data, (long)i * data.Length);
            RandomAccess.FlushToDisk(handle);
        }

        return batches * batch / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Durable or buffered saves from <paramref name="producers"/> producers; returns the rate, records per written batch and bytes written per entry.</summary>
    private static async Task<(double Rate, double RecordsPerBatch, int BytesPerEntry)> EnqueueAsync(string root, string name, DurabilityMode durability, int producers, int perProducer)
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = Path.Combine(root, name), Durability = durability });
        var batches = store.WrittenBatches;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await store.SaveAsync([Entry($"{name}-{p:D3}-{i:D8}")]);
            }
        })));
        var elapsed = watch.Elapsed;
        var entries = producers * perProducer;
        return (entries / elapsed.TotalSeconds, entries / (double)(store.WrittenBatches - batches), (int)(store.SizeBytes / entries));
    }

    /// <summary>
    /// Durable enqueue the way the dead letter strategy does it: through <see cref="DeadLetterQueue.AddAsync(string, ReadOnlyMemory{byte}, DeadLetterError, IReadOnlyDictionary{string, string}?, CancellationToken)"/>,
    /// which makes the entry and its id (a ULID from one generator, so ids arrive nearly in order).
    /// </summary>
    private static async Task<double> QueueEnqueueAsync(string root, string name, int producers, int perProducer)
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = Path.Combine(root, name) });
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());
        var payload = new byte[PayloadBytes];
        var error = new DeadLetterError { Type = "System.Net.Http.HttpRequestException", Message = "503" };
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await queue.AddAsync("charge-card", payload, error);
            }
        })));
        return producers * perProducer / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double Rate, double BytesPerEntry, double CpuMicrosecondsPerEntry)> BufferedAsync(string root, int count)
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
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await store.SaveAsync([entries[i]]);
        }

        var elapsed = watch.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (count / elapsed.TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count, cpuUsed.TotalMicroseconds / count);
    }

    private static double MeasureSqlite(string root, int count)
    {
        Directory.CreateDirectory(root);
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

    private static async Task<WeakReference> WriteForReopenAsync(string directory, int count)
    {
        WeakReference weak;
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, Durability = DurabilityMode.OsBuffered, MaxTotalBytes = 64L << 30 }))
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
            var compaction = Stopwatch.StartNew();
            var compactionCpu = CpuTime();
            var before = store.DiskBytes;
            await store.CompactAsync();
            Console.WriteLine($"{"compaction (all live, 1 snapshot)",-48} {compaction.Elapsed.TotalMilliseconds,12:F0} ms for {count:N0} entries ({before / 1e6 / compaction.Elapsed.TotalSeconds:F0} MB/s of log, {count / compaction.Elapsed.TotalSeconds:N0} entries/s), CPU {(CpuTime() - compactionCpu).TotalMilliseconds:F0} ms");
            await store.SaveAsync([Entry("reopen-tail-00000001")]);
            weak = new WeakReference(store);
        }
        return weak;
    }

    private static async Task ReopenAsync(string root, int count)
    {
        var directory = Path.Combine(root, "reopen");

        // The writing store must be unreachable before the reopen, or the working set below counts two indexes: it is
        // written by another method (a local of this async method would live in its state machine), and this method
        // goes on from a fresh pool work item (its disposal completed on a pool thread that ran the compaction, and
        // what awaited it would otherwise run inline above that thread's frames, which hold the disposed store).
        var writer = await WriteForReopenAsync(directory, count);
        await Task.Yield();

        var bytes = Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);

        // Give the write phase's memory back to the OS, so the working set printed below is the reopened store's.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peakIsReopens = ResetPeakWorkingSet();
        var watch = Stopwatch.StartNew();
        var cpu = CpuTime();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, MaxTotalBytes = 64L << 30 });
        var elapsed = watch.Elapsed;
        var reopenCpu = CpuTime() - cpu;
        var allocatedDuringReopen = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var resident = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"{"reopen",-48} {elapsed.TotalMilliseconds,12:F0} ms for {reopened.Count:N0} entries ({bytes / 1e6:F0} MB, {bytes / 1e6 / elapsed.TotalSeconds:F0} MB/s), CPU {reopenCpu.TotalMilliseconds:F0} ms (all threads, GC included)");
        Console.WriteLine($"{"resident after reopen (GC.GetTotalMemory(true))",-48} {resident / (double)reopened.Count,12:F0} B/entry (payloads are not resident); working set {process.WorkingSet64 / 1e6:F0} MB, peak {process.PeakWorkingSet64 / 1e6:F0} MB{(peakIsReopens ? " (the reopen's own)" : " (the write phase's included)")}");
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine($"{"GC heap after reopen",-48} heap {gc.HeapSizeBytes / 1e6,8:F0} MB, committed {gc.TotalCommittedBytes / 1e6:F0} MB, fragmented {gc.FragmentedBytes / 1e6:F0} MB, live before reopen {baseline / 1e6:F0} MB (writing store collected: {!writer.IsAlive}), allocated during reopen {allocatedDuringReopen / 1e6:F0} MB");

        await using var queue = DeadLetterQueue.Create(reopened, new DeadLetterQueueOptions());
        await TimeAsync(reopened, "statistics (GetStatistics) after a write", () => queue.GetStatistics());
        await TimeAsync(reopened, "health counts (GetCounts) after a write", () => reopened.GetCounts());
        await TimeAsync(reopened, "first query page (100) after a write", () => queue.Query(new DeadLetterQuery { Take = 100 }));
        await TimeAsync(reopened, "first Pending page (100) after a write", () => queue.Query(new DeadLetterQuery { Status = DeadLetterStatus.Pending, Take = 100 }));
        await TimeAsync(reopened, "Find one entry (payload read from disk)", () => reopened.Find("reopen-00500000")!);

        // What a drained backlog and user-chosen ids cost at this size: the oldest entries leave first, and ids that do
        // not sort by creation time (GUIDs) land anywhere in the id order.
        var deleted = await RateAsync(10_000, 100, n => reopened.DeleteAsync(Enumerable.Range(n, 100).Select(i => $"reopen-{i:D8}").ToArray()));
        Console.WriteLine($"{"delete the 10,000 oldest, 100 ids per write",-48} {deleted,12:N0} entries/s");
        // What a running processor adds to the reopened store's memory (one attempt at a time, held open, so the rest
        // stay scheduled).
        var held = new TaskCompletionSource();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using (var processing = DeadLetterQueue.Create(reopened, new DeadLetterQueueOptions { MaxConcurrentAttempts = 1 }))
        {
            var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            processing.RegisterHandler("charge-card", (_, _) =>
            {
                dispatched.TrySetResult();
                return new ValueTask(held.Task);
            });
            var started = Stopwatch.StartNew();
            processing.Processor.Start();
            await dispatched.Task;
            var startTime = started.Elapsed;
            var after = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            Console.WriteLine($"{"processor started, first attempt running",-48} {startTime.TotalMilliseconds,12:F0} ms; adds {(after - before) / (double)reopened.Count,6:F0} B/entry ({processing.Processor.QueuedCount:N0} scheduled, {before / 1e6:F0} MB before, {after / 1e6:F0} MB after); working set {process.WorkingSet64 / 1e6:F0} MB");
            held.SetResult();
            await processing.Processor.StopAsync();
        }

        var guids = await RateAsync(10_000, 100, n => reopened.SaveAsync(Enumerable.Range(0, 100).Select(_ => Entry(Guid.NewGuid().ToString())).ToArray()));
        Console.WriteLine($"{"save 10,000 GUID-id entries, 100 per write",-48} {guids,12:N0} entries/s");
    }

    private static async Task<double> RateAsync(int count, int perWrite, Func<int, ValueTask> write)
    {
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < count; n += perWrite)
        {
            await write(n);
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Resets the process's peak resident set size (Linux: writing 5 to clear_refs), so the peak is the reopen's.</summary>
    private static bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The process's CPU time (all threads): on a shared machine, what the work costs apart from waiting for a core.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Runs once to warm up (JIT), then five times each right after a write; prints the slowest and the median.</summary>
    private static async Task TimeAsync(FileDeadLetterStore store, string what, Func<object> action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync([Entry($"timed-{what.Length:D3}-{i:D8}")]);
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"{what,-48} {times[2],12:F3} ms median, {times[^1]:F3} ms slowest of 5");
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
