using System.Globalization;
using Resilience.Checkpointing;
using Resilience.DeadLetter;
using Resilience.Samples.StreamConsumer;
using Resilience.Tests.DeadLetter;
using Resilience.Tests.TestUtils;
using EventLog = Resilience.Samples.StreamConsumer.EventLog;

namespace Resilience.Tests.Checkpointing;

/// <summary>
/// Runs samples/Resilience.Samples.StreamConsumer as a child process over a generated 3-partition event log and has
/// it kill itself (SIGKILL) at a seeded crash point — after a sink write, a dead letter add, an event marked done,
/// before or after a checkpoint commit — RESILIENCE_CONSUMER_KILLS times (default 10), restarting it each time, then
/// lets it finish. After every run: it resumed from the committed offsets, the committed offsets never went back, and
/// every event below them is durably in the sink or the dead letter queue. At the end every event is in exactly one of
/// them, an invalid one in the queue with the reason matching its defect.
/// </summary>
public sealed class StreamConsumerCrashTests : IDisposable
{
    private const int Partitions = 3;
    private const int EventsPerPartition = 120;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KilledAtSeededPointsAndRestarted_EveryEventEndsExactlyOnceAndOffsetsNeverGoBack()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CONSUMER_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 10;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CONSUMER_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 23;
        var root = _dir.Path;
        EventLog.Generate(root, Partitions, EventsPerPartition, seed);
        var manifest = ReadManifest(root);
        var random = new Random(seed);
        var committed = new long[Partitions];
        var crashes = 0;

        // Handling an event for the first time passes at least two crash points (its sink write or dead letter, then
        // "done"), so kills * maxCrashAt below 2 points per event guarantees every kill lands before the log is consumed.
        var maxCrashAt = Math.Clamp((2 * Partitions * EventsPerPartition - 20) / Math.Max(kills, 1), 2, 80);
        for (var run = 0; run < kills + 20; run++)
        {
            var crashAt = crashes < kills ? random.Next(1, maxCrashAt) : 0;
            var lines = await RunConsumerAsync(root, seed * 1000 + run, crashAt);
            var because = $"run {run} (crash point {crashAt}, seed {seed}): {string.Join(" | ", lines.TakeLast(3))}";

            // It resumed where the last run's durable commit left it.
            for (var p = 0; p < Partitions; p++)
            {
                lines.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"RESUME {p} {committed[p]}"), because);
            }

            var now = await ReadCommittedAsync(root);
            var (sink, deadLetters) = await ReadOutcomesAsync(root);
            for (var p = 0; p < Partitions; p++)
            {
                now[p].Should().BeGreaterThanOrEqualTo(committed[p], $"partition {p}'s committed offset never goes back: {because}");
                for (var offset = 0; offset < now[p]; offset++)
                {
                    var expected = manifest[(p, offset)];
                    (sink.Contains(expected.Id) || deadLetters.ContainsKey($"{p}@{offset}")).Should().BeTrue($"event {p}@{offset} is below the committed offset {now[p]}, so it was handled: {because}");
                }

                committed[p] = now[p];
            }

            // Other threads may print a line or two between the crash line and the kill landing.
            if (lines.Exists(l => l.StartsWith("CRASH ", StringComparison.Ordinal)))
            {
                crashes++;
                continue;
            }

            lines[^1].Should().StartWith("END", because);
            if (crashAt == 0)
            {
                break;
            }
        }

        crashes.Should().Be(kills, "every seeded crash point was reached before the log was consumed");
        committed.Should().OnlyContain(c => c == EventsPerPartition, "the last run consumed everything");
        await CheckExactlyOnceAsync(root, manifest);
    }

    private static async Task CheckExactlyOnceAsync(string root, Dictionary<(int Partition, long Offset), (string Kind, string Id)> manifest)
    {
        var sinkLines = (await File.ReadAllLinesAsync(Path.Combine(root, "sink.log"))).Where(l => l.Length > 0).ToList();
        sinkLines.Should().OnlyHaveUniqueItems("the sink is idempotent by event id");
        var sink = sinkLines.ToHashSet(StringComparer.Ordinal);

        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = Path.Combine(root, "dlq") });
        var entries = queue.Query(new DeadLetterQuery { Take = 100_000 }).Entries;
        var keys = entries.Select(e => e.Context["event"]).ToList();
        keys.Should().OnlyHaveUniqueItems("an event is dead-lettered at most once, even when replayed after a crash");
        var reasons = entries.ToDictionary(e => e.Context["event"], e => e.Error.Reason, StringComparer.Ordinal);

        foreach (var ((partition, offset), (kind, id)) in manifest)
        {
            var key = $"{partition}@{offset}";
            var inSink = sink.Contains(id);
            var inQueue = reasons.TryGetValue(key, out var reason);
            (inSink ^ inQueue).Should().BeTrue($"event {key} ({kind}) is in exactly one of the sink (yes: {inSink}) and the queue (yes: {inQueue})");
            var expectedReason = kind switch
            {
                "corrupted" => DeadLetterFailureReason.CorruptedData,
                "schema" => DeadLetterFailureReason.InvalidSchema,
                "oversized" => DeadLetterFailureReason.Oversized,
                _ => (DeadLetterFailureReason?)null,
            };
            if (expectedReason is { } invalid)
            {
                inQueue.Should().BeTrue($"invalid event {key} is dead-lettered");
                reason.Should().Be(invalid, $"event {key} is {kind}");
            }
            else if (inQueue)
            {
                reason.Should().BeOneOf([DeadLetterFailureReason.MaxRetriesExceeded, DeadLetterFailureReason.Rejected], $"valid event {key} is dead-lettered only when the sink kept failing");
            }
        }

        sink.Should().HaveCountGreaterThan(manifest.Count / 2);
    }

    private static async Task<long[]> ReadCommittedAsync(string root)
    {
        var offsets = new long[Partitions];
        var directory = Path.Combine(root, "checkpoints");
        if (!Directory.Exists(directory))
        {
            return offsets;
        }

        using var store = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = directory });
        var snapshot = await store.LoadAsync(StreamConsumer.ConsumerGroup);
        for (var p = 0; p < Partitions; p++)
        {
            offsets[p] = snapshot?.Offsets.GetValueOrDefault(new CheckpointKey(StreamConsumer.Stream, p)) ?? 0;
        }

        return offsets;
    }

    private static async Task<(HashSet<string> Sink, Dictionary<string, DeadLetterFailureReason> DeadLetters)> ReadOutcomesAsync(string root)
    {
        var sinkPath = Path.Combine(root, "sink.log");
        var text = File.Exists(sinkPath) ? await File.ReadAllTextAsync(sinkPath) : string.Empty;

        // Only whole lines were acknowledged; a torn last line is not a write.
        var sink = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var deadLetters = new Dictionary<string, DeadLetterFailureReason>(StringComparer.Ordinal);
        if (Directory.Exists(Path.Combine(root, "dlq")))
        {
            await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = Path.Combine(root, "dlq") });
            foreach (var entry in queue.Query(new DeadLetterQuery { Take = 100_000 }).Entries)
            {
                deadLetters[entry.Context["event"]] = entry.Error.Reason;
            }
        }

        return (sink, deadLetters);
    }

    private static Dictionary<(int Partition, long Offset), (string Kind, string Id)> ReadManifest(string root)
        => File.ReadAllLines(Path.Combine(root, "manifest.txt"))
            .Select(l => l.Split(' '))
            .ToDictionary(
                parts => (int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture)),
                parts => (parts[2], parts[3]));

    private static async Task<List<string>> RunConsumerAsync(string root, int seed, int crashAt)
    {
        using var process = CrashHelperProcess.StartApp(
            "Resilience.Samples.StreamConsumer.dll",
            ["consume", root, seed.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["RESILIENCE_CONSUMER_CRASH_AT"] = crashAt.ToString(CultureInfo.InvariantCulture) });
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(bound.Token);
        var errors = process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        var lines = (await output).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        lines.Should().Contain("READY", "the consumer always starts again; stderr: " + await errors);
        (lines[^1].StartsWith("END", StringComparison.Ordinal) || lines.Exists(l => l.StartsWith("CRASH ", StringComparison.Ordinal)))
            .Should().BeTrue($"the consumer either ends or crashes at its point; stderr: {await errors}; last lines: {string.Join(" | ", lines.TakeLast(3))}");
        return lines;
    }
}
