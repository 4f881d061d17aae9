using System.Diagnostics;
using System.Globalization;
using Resilience.Checkpointing;
using Resilience.Checkpointing.Internal;

namespace Resilience.Benchmarks;

/// <summary>
/// A console harness (commit latency is fsync latency, which BenchmarkDotNet's many short iterations measure badly):
/// a raw fsync of a checkpoint-sized write, the raw replace sequence (write + fsync + rename + directory fsync) done by
/// hand, a <see cref="FileCheckpointStore"/> save, and a <see cref="CheckpointManager"/> commit of 16 partitions, all
/// in one directory on the same disk. Reports mean, p50 and p99 per operation.
/// Run: dotnet run -c Release --project tests/Resilience.Benchmarks -- --checkpoints [--count 300]
/// </summary>
internal static class CheckpointBenchmark
{
    private const int Partitions = 16;

    public static async Task RunAsync(string[] args)
    {
        var count = args.SkipWhile(a => a != "--count").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(300);
        var root = Path.Combine(Path.GetTempPath(), "resilience-checkpoint-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var offsets = Enumerable.Range(0, Partitions).ToDictionary(p => new CheckpointKey("orders", p), p => (long)p * 1000);
            var bytes = CheckpointCodec.Encode(new CheckpointSnapshot("bench", 1, DateTimeOffset.UnixEpoch, offsets));
            Console.WriteLine($"Checkpoint commit latency, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {bytes.Length} B snapshot ({Partitions} partitions), {count} runs each, directory {root}");

            Report("raw fsync (write + FlushToDisk)", Measure(count, i => RawFsync(root, bytes)));
            Report("raw replace (write, fsync, rename, fsync dir)", Measure(count, i => RawReplace(root, bytes)));

            using var store = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = Path.Combine(root, "store") });
            var generation = 0L;
            Report("FileCheckpointStore.SaveAsync", Measure(count, _ => store.SaveAsync(new CheckpointSnapshot("bench", ++generation, DateTimeOffset.UnixEpoch, offsets)).AsTask().GetAwaiter().GetResult()));

            using var managerStore = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = Path.Combine(root, "manager") });
            await using var manager = await CheckpointManager.OpenAsync(managerStore, new CheckpointManagerOptions { ConsumerGroup = "bench", AutoCommitInterval = null });
            var offset = 0L;
            Report("CheckpointManager.CommitAsync (16 partitions)", Measure(count, _ =>
            {
                offset++;
                for (var p = 0; p < Partitions; p++)
                {
                    manager.Update("orders", p, offset);
                }

                manager.CommitAsync().AsTask().GetAwaiter().GetResult();
            }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void RawFsync(string root, byte[] bytes)
    {
        using var file = new FileStream(Path.Combine(root, "raw.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }

    private static void RawReplace(string root, byte[] bytes)
    {
        var temporary = Path.Combine(root, "replace.tmp");
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(root, "replace.bin"), overwrite: true);
        Resilience.DeadLetter.Internal.LogFileSystem.Default.FlushDirectory(root);
    }

    private static double[] Measure(int count, Action<int> action)
    {
        for (var i = 0; i < 10; i++)
        {
            action(i);
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action(i);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return times;
    }

    private static void Report(string what, double[] sorted)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-48} mean {sorted.Average(),7:F3} ms   p50 {sorted[sorted.Length / 2],7:F3} ms   p99 {sorted[(int)(sorted.Length * 0.99)],7:F3} ms"));
}
