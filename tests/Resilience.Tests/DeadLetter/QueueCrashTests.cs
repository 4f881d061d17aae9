using System.Diagnostics;
using System.Globalization;
using Resilience.DeadLetter;
using Resilience.DeadLetter.CrashHelper;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Kill -9 of a process whose processor retries dead letters while operators discard and purge them. After every
/// kill (same directory, so recovery runs again and again): a purged entry never comes back, a discarded one stays
/// discarded and its handler never starts again under a later version, no entry is left Retrying, and no entry ever
/// ran more than MaxAttempts times across all the crashes (an interrupted attempt counts).
/// </summary>
/// <remarks>10 kills by default; <c>RESILIENCE_CRASH_ITERATIONS</c> overrides.</remarks>
public sealed class QueueCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillWhileProcessorAndOperatorsRace_NoResurrectionNoRerunNoExtraAttempt()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CRASH_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n / 2) : 10;
        var random = new Random(26);
        var directory = _dir.Sub("queue");
        var added = new HashSet<string>(StringComparer.Ordinal);
        var purged = new HashSet<string>(StringComparer.Ordinal);
        var purging = new HashSet<string>(StringComparer.Ordinal);
        var discarded = new Dictionary<string, long>(StringComparer.Ordinal);
        var runs = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);

        for (var i = 0; i < iterations; i++)
        {
            foreach (var line in await RunAndKillAsync(directory, producers: 1 + random.Next(4), ackTarget: 40 + random.Next(160)))
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "ACK-ADD":
                        added.Add(parts[1]);
                        break;
                    case "PURGING":
                        purging.Add(parts[1]);
                        break;
                    case "ACK-PURGE":
                        purged.Add(parts[1]);
                        break;
                    case "ACK-DISCARD":
                        discarded[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture);
                        break;
                    case "RUN":
                        (runs.TryGetValue(parts[1], out var versions) ? versions : runs[parts[1]] = []).Add(long.Parse(parts[2], CultureInfo.InvariantCulture));
                        break;
                    default:
                        break;
                }
            }

            await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory, MaxAttempts = QueueWorkload.MaxAttempts });
            var failures = new List<string>();
            failures.AddRange(purged.Where(id => queue.Get(id) is not null).Select(id => $"{id} was purged but came back"));
            failures.AddRange(discarded.Keys.Where(id => queue.Get(id)?.Status != DeadLetterStatus.Discarded).Select(id => $"{id} was discarded but is {queue.Get(id)?.Status.ToString() ?? "absent"}"));
            failures.AddRange(added.Where(id => !purging.Contains(id) && queue.Get(id) is null).Select(id => $"{id} was added and never purged but is gone"));
            failures.AddRange(queue.Store.GetAll().Where(e => e.Status == DeadLetterStatus.Retrying).Select(e => $"{e.Id} reopened Retrying"));
            failures.AddRange(queue.Store.GetAll().Where(e => e.AttemptCount > QueueWorkload.MaxAttempts).Select(e => $"{e.Id} counts {e.AttemptCount} attempts"));
            failures.AddRange(runs.Where(r => r.Value.Count > QueueWorkload.MaxAttempts).Select(r => $"{r.Key} ran {r.Value.Count} times across crashes"));
            failures.AddRange(discarded.Where(d => runs.TryGetValue(d.Key, out var v) && v.Any(version => version > d.Value)).Select(d => $"{d.Key} ran again after its discard"));
            failures.Should().BeEmpty($"after kill #{i + 1} ({added.Count} adds, {discarded.Count} discards, {purged.Count} purges, {runs.Sum(r => r.Value.Count)} attempts so far)");
        }

        runs.Should().NotBeEmpty("the processor ran attempts between the kills");
    }

    private static async Task<List<string>> RunAndKillAsync(string directory, int producers, int ackTarget)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Resilience.DeadLetter.CrashHelper.dll"));
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add("queue");
        start.ArgumentList.Add(producers.ToString(CultureInfo.InvariantCulture));

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var acks = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (acks < ackTarget)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("The crash helper exited early: " + await process.StandardError.ReadToEndAsync(timeout.Token));
                lines.Add(line);
                if (line.StartsWith("ACK-", StringComparison.Ordinal))
                {
                    acks++;
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines already written before the kill are still in the pipe: they describe what was acknowledged too.
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
        {
            lines.Add(rest);
        }

        return lines;
    }
}
