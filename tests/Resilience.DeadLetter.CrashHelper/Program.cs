using Resilience.DeadLetter;
using Resilience.DeadLetter.CrashHelper;

// Used by the kill -9 test: appends entries to a store from several concurrent producers and prints
// "ACK <id>" for each entry the store acknowledged. The test kills this process at random moments and checks
// that every acknowledged entry survived, intact.
if (args.Length == 2 && args[1] == "saga")
{
    return await SagaMode.RunAsync(args[0]);
}

if (args.Length == 3 && args[1] == "queue")
{
    return await QueueWorkload.RunAsync(args[0], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length == 3 && args[1] is "compact" or "race")
{
    return await StoreWorkload.RunAsync(args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: <directory> <producers> [durability] | <directory> saga | <directory> compact|race <producers>");
    return 2;
}

var durability = args.Length > 2 ? Enum.Parse<DurabilityMode>(args[2]) : DurabilityMode.Always;
await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions
{
    Directory = args[0],
    Durability = durability,
    SegmentSize = 256 * 1024,
    CompactionThreshold = 512 * 1024,
});
Console.WriteLine("READY");

// Which write path the acknowledgements below go through (the kill -9 test checks it covers the mapped one).
Console.WriteLine("MAPPED " + store.WritesThroughMapping);

var producers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var runId = Guid.NewGuid().ToString("N")[..8];
var tasks = new Task[producers];
for (var p = 0; p < producers; p++)
{
    var producer = p;
    tasks[p] = Task.Run(async () =>
    {
        for (var n = 0; ; n++)
        {
            var id = $"{runId}-{producer:D2}-{n:D8}";
            await store.SaveAsync([CrashEntries.Create(id, n)]);
            Console.WriteLine("ACK " + id);
        }
    });
}

await Task.WhenAll(tasks);
return 0;

