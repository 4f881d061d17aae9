using System.Globalization;
using Resilience.DeadLetter;

namespace Resilience.DeadLetter.CrashHelper;

/// <summary>
/// The queue-level kill -9 workload: producers add dead letters, discard some and purge others while the processor
/// retries them (failing most attempts, so retries keep running). It prints what was acknowledged and every attempt
/// the handler started, with the entry version the attempt runs under:
/// <c>ACK-ADD id</c>, <c>ACK-DISCARD id version</c>, <c>PURGING id</c> then <c>ACK-PURGE id</c>, <c>RUN id version attempt</c>.
/// </summary>
public static class QueueWorkload
{
    /// <summary>The attempt limit of the workload's queue.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Runs the workload until killed.</summary>
    /// <param name="directory">The queue's directory.</param>
    /// <param name="producers">How many producers add, discard and purge.</param>
    /// <returns>Never returns normally.</returns>
    public static async Task<int> RunAsync(string directory, int producers)
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions
        {
            Directory = directory,
            MaxAttempts = MaxAttempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            MaxConcurrentAttempts = 8,
            PauseAfterConsecutiveFailures = int.MaxValue,
        });
        var output = TextWriter.Synchronized(Console.Out);
        queue.RegisterHandler("work", (attempt, _) =>
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RUN {attempt.Entry.Id} {attempt.Entry.Version} {attempt.AttemptNumber}"));
            return Random.Shared.Next(10) < 7 ? throw new InvalidOperationException("still down") : default;
        });
        queue.Processor.Start();
        output.WriteLine("READY");

        var tasks = new Task[producers];
        for (var p = 0; p < producers; p++)
        {
            tasks[p] = Task.Run(async () =>
            {
                for (var n = 1; ; n++)
                {
                    var entry = await queue.AddAsync("work", "payload"u8.ToArray(), new DeadLetterError { Type = "E", Message = "down" });
                    output.WriteLine("ACK-ADD " + entry.Id);
                    if (n % 7 == 0)
                    {
                        // Printed before the purge: a kill between the two leaves the entry rightly gone or present.
                        output.WriteLine("PURGING " + entry.Id);
                        await queue.Store.DeleteAsync([entry.Id]);
                        output.WriteLine("ACK-PURGE " + entry.Id);
                    }
                    else if (n % 5 == 0)
                    {
                        await queue.DiscardAsync(entry.Id);

                        // Nothing but an operator changes a discarded entry, so this is the discard's own version.
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK-DISCARD {entry.Id} {queue.Get(entry.Id)!.Version}"));
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        return 0;
    }
}
