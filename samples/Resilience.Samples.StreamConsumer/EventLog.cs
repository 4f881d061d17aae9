using System.Globalization;
using System.Text;

namespace Resilience.Samples.StreamConsumer;

/// <summary>
/// The partitioned append-only event log: one file per partition (<c>events/p{n}.log</c>), one event per line; an
/// event's offset is its line number. The generator also writes <c>manifest.txt</c> ("partition offset kind"), which
/// says what each event is meant to be, so a test can check the consumer without re-implementing its validation.
/// </summary>
public static class EventLog
{
    public const int MaxEventBytes = 1024;

    public static string PartitionPath(string root, int partition) => Path.Combine(root, "events", string.Create(CultureInfo.InvariantCulture, $"p{partition}.log"));

    public static void Generate(string root, int partitions, int eventsPerPartition, int seed)
    {
        Directory.CreateDirectory(Path.Combine(root, "events"));
        var random = new Random(seed);
        using var manifest = new StreamWriter(Path.Combine(root, "manifest.txt"));
        for (var p = 0; p < partitions; p++)
        {
            using var file = new StreamWriter(PartitionPath(root, p), append: false, Encoding.UTF8);
            for (var offset = 0; offset < eventsPerPartition; offset++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"p{p}-{offset:D6}");
                var amount = (random.Next(100, 100_000) / 100m).ToString(CultureInfo.InvariantCulture);
                var roll = random.Next(100);
                var (kind, line) = roll switch
                {
                    < 4 => ("corrupted", $"{{\"id\":\"{id}\",\"amount\":"),
                    < 8 => ("schema", $"{{\"id\":\"{id}\",\"note\":\"no amount\"}}"),
                    < 10 => ("oversized", $"{{\"id\":\"{id}\",\"amount\":{amount},\"note\":\"{new string('x', MaxEventBytes)}\"}}"),
                    _ => ("valid", $"{{\"id\":\"{id}\",\"amount\":{amount},\"note\":\"order {offset}\"}}"),
                };
                file.WriteLine(line);
                manifest.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p} {offset} {kind} {id}"));
            }
        }
    }

    /// <summary>Reads a partition from <paramref name="offset"/> on, lazily.</summary>
    public static IEnumerable<RawEvent> ReadFrom(string root, int partition, long offset)
    {
        long current = 0;
        foreach (var line in File.ReadLines(PartitionPath(root, partition)))
        {
            if (current >= offset)
            {
                yield return new RawEvent(partition, current, line);
            }

            current++;
        }
    }

    public static int CountPartitions(string root) => Directory.GetFiles(Path.Combine(root, "events"), "p*.log").Length;
}
