using System.Diagnostics;
using System.Globalization;
using Resilience.DeadLetter;
using Resilience.DeadLetter.CrashHelper;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Kills a process that is writing to a store with SIGKILL at random moments and checks that every entry it saw
/// acknowledged is present and intact after reopening. The same directory is reused across kills, so recovery of
/// torn tails is exercised again and again.
/// </summary>
/// <remarks>
/// 50 kills per run by default; set <c>RESILIENCE_CRASH_ITERATIONS=1000</c> (or more) for a longer soak.
/// </remarks>
public sealed class CrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillDuringWrites_EveryAcknowledgedEntrySurvivesIntact()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CRASH_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 50;
        var random = new Random(42);
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var store = _dir.Sub("store");

        for (var i = 0; i < iterations; i++)
        {
            var acks = await RunAndKillAsync(store, producers: 1 + random.Next(8), ackTarget: 1 + random.Next(150));
            acknowledged.UnionWith(acks);

            await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store, SegmentSize = 256 * 1024 });
            foreach (var id in acknowledged)
            {
                var entry = reopened.Find(id);
                entry.Should().NotBeNull($"entry {id} was acknowledged before kill #{i + 1}");
                var sequence = int.Parse(id[(id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
                entry!.Payload.ToArray().Should().Equal(CrashEntries.Payload(id, sequence), $"entry {id} must be intact");
                entry.AttemptCount.Should().Be(sequence % 7);
            }
        }

        acknowledged.Should().NotBeEmpty();
    }

    private static async Task<List<string>> RunAndKillAsync(string directory, int producers, int ackTarget)
    {
        using var process = CrashHelperProcess.Start([directory, producers.ToString(CultureInfo.InvariantCulture)]);
        var acks = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (acks.Count < ackTarget)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    var error = await process.StandardError.ReadToEndAsync(timeout.Token);
                    throw new InvalidOperationException("The crash helper exited early: " + error);
                }

                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    acks.Add(line[4..]);
                }
            }
        }
        finally
        {
            // Process.Kill sends SIGKILL on Unix: no finalizers, no flushes, no disposal.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines already printed but not yet read are acknowledgements too.
        var rest = await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var lines = rest.Split('\n');

        // The last piece has no newline when the kill cut a line short: it is not a complete acknowledgement.
        foreach (var line in lines.Take(lines.Length - 1))
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal) && line.Length > 4)
            {
                acks.Add(line[4..].TrimEnd('\r'));
            }
        }

        return acks;
    }
}
