using System.Globalization;
using Resilience.Samples.StreamConsumer;

// A Kafka-like consumer over a partitioned append-only file, crash-safe through checkpoints:
//   dotnet run --project samples/Resilience.Samples.StreamConsumer                    (generate into a temp directory, consume, summarize)
//   ... -- generate <dir> <partitions> <eventsPerPartition> <seed>                    (only write the event log)
//   ... -- consume <dir> <seed> [sinkFailureRate]                                      (consume from the committed offsets)
// Kill it at any moment and run "consume" again: it resumes from the last commit, and every event ends up exactly
// once in the sink (sink.log) or the dead letter queue (dlq/).
static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

if (args is ["generate", var dir, var partitions, var events, var seed])
{
    EventLog.Generate(dir, Number(partitions), Number(events), Number(seed));
    Console.WriteLine($"generated {partitions} partitions of {events} events in {Path.GetFullPath(dir)}");
    return 0;
}

if (args is ["consume", var root, var consumeSeed, ..])
{
    var failureRate = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.2;
    return await StreamConsumer.RunAsync(root, Number(consumeSeed), failureRate, Console.Out);
}

if (args.Length > 0)
{
    Console.Error.WriteLine("usage: [generate <dir> <partitions> <events> <seed> | consume <dir> <seed> [sinkFailureRate]]");
    return 2;
}

var demo = Path.Combine(Path.GetTempPath(), "resilience-stream-" + Guid.NewGuid().ToString("N")[..8]);
EventLog.Generate(demo, partitions: 3, eventsPerPartition: 200, seed: 1);
Console.WriteLine($"event log: {demo}");
var exit = await StreamConsumer.RunAsync(demo, seed: 1, failureRate: 0.2, Console.Out);
Console.WriteLine("run it again: nothing is handled twice, the consumer starts at the committed offsets");
await StreamConsumer.RunAsync(demo, seed: 2, failureRate: 0.2, Console.Out);
Directory.Delete(demo, recursive: true);
return exit;
