using System.Diagnostics;
using System.Globalization;
using Resilience.DeadLetter;
using Resilience.DeadLetter.CrashHelper;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Kill -9 suite for issue 14: the crash helper's <c>compact</c> workload (compaction in a loop beside concurrent
/// writers and status changes) and <c>race</c> workload (status changes racing deletes of the same ids) are killed
/// at random moments; after each kill the store is reopened and every id must hold its last acknowledged state
/// (exact bytes), or the result of an operation submitted after it that was still in flight. The same directory is
/// reused, so later runs' compactions must keep earlier runs' data.
/// </summary>
/// <remarks>20 kills per mode by default; <c>RESILIENCE_CRASH_ITERATIONS</c> overrides.</remarks>
public sealed class CrashWorkloadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("compact")]
    [InlineData("race")]
    public async Task KillDuringWorkload_EveryIdHoldsItsLastAcknowledgedState(string mode)
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CRASH_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 20;
        var random = new Random(mode.Length);
        var settled = new Dictionary<string, int?>(StringComparer.Ordinal);
        var store = _dir.Sub("store");
        var acknowledged = 0;

        for (var i = 0; i < iterations; i++)
        {
            var lines = await RunAndKillAsync(store, mode, producers: 2 + random.Next(7), ackTarget: 50 + random.Next(400));
            var run = Parse(lines);
            acknowledged += lines.Count(l => l.StartsWith("ACK-", StringComparison.Ordinal));

            await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store, SegmentSize = 64 * 1024, CompactionThreshold = 256 * 1024 });
            var failures = new List<string>();
            foreach (var (id, state) in settled)
            {
                // Ids of earlier runs are never touched again: they must keep the state verified back then.
                if (!Matches(reopened.Find(id), id, state))
                {
                    failures.Add($"{id}: settled as {Describe(state)} in an earlier run, now {Describe(reopened.Find(id))}");
                }
            }

            foreach (var (id, history) in run)
            {
                var allowed = history.AllowedStates();
                var found = reopened.Find(id);
                var match = allowed.FirstOrDefault(state => Matches(found, id, state), Missing);
                if (ReferenceEquals(match, Missing))
                {
                    failures.Add($"{id}: last acknowledged {Describe(allowed[0])}, allowed [{string.Join(", ", allowed.Select(Describe))}], found {Describe(found)}");
                    continue;
                }

                settled[id] = match.Attempt;
            }

            failures.Should().BeEmpty($"after kill #{i + 1} of the '{mode}' workload ({failures.Count} ids wrong, {acknowledged} acknowledgements so far)");
        }

        acknowledged.Should().BeGreaterThan(0);
    }

    private static readonly State Missing = new(-2);

    private static bool Matches(DeadLetterEntry? found, string id, State state) => Matches(found, id, state.Attempt);

    private static bool Matches(DeadLetterEntry? found, string id, int? attempt)
    {
        if (attempt is null)
        {
            return found is null;
        }

        if (found is null)
        {
            return false;
        }

        var expected = CrashEntries.Versioned(id, attempt.Value);
        return found.Payload.Span.SequenceEqual(expected.Payload.Span) && found.AttemptCount == expected.AttemptCount
            && found.Status == expected.Status && found.UpdatedAt == expected.UpdatedAt && found.Error == expected.Error
            && found.OperationType == expected.OperationType && found.Context.Count == 1 && found.Context["owner"] == expected.Context["owner"];
    }

    private static string Describe(State state) => Describe(state.Attempt);

    private static string Describe(int? attempt) => attempt is null ? "absent" : $"attempt {attempt}";

    private static string Describe(DeadLetterEntry? entry) => entry is null ? "absent" : $"attempt {entry.AttemptCount} ({entry.Status})";

    private static Dictionary<string, IdHistory> Parse(List<string> lines)
    {
        var run = new Dictionary<string, IdHistory>(StringComparer.Ordinal);
        IdHistory For(string id) => run.TryGetValue(id, out var h) ? h : run[id] = new IdHistory();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "SUBMIT" when parts[3] == "PUT":
                    For(parts[1]).Submitted[int.Parse(parts[2], CultureInfo.InvariantCulture)] = int.Parse(parts[4], CultureInfo.InvariantCulture);
                    break;
                case "SUBMIT":
                    For(parts[1]).Submitted[int.Parse(parts[2], CultureInfo.InvariantCulture)] = null;
                    break;
                case "ACK-PUT":
                    For(parts[1]).Acknowledge(int.Parse(parts[3], CultureInfo.InvariantCulture));
                    break;
                case "ACK-DEL":
                    For(parts[1]).Acknowledge(int.Parse(parts[2], CultureInfo.InvariantCulture));
                    break;
                default:
                    break;
            }
        }

        return run;
    }

    private static async Task<List<string>> RunAndKillAsync(string directory, string mode, int producers, int ackTarget)
    {
        using var process = CrashHelperProcess.Start([directory, mode, producers.ToString(CultureInfo.InvariantCulture)]);
        var lines = new List<string>();
        var acks = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (acks < ackTarget)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    var error = await process.StandardError.ReadToEndAsync(timeout.Token);
                    throw new InvalidOperationException($"The crash helper ({mode}) exited early: " + error);
                }

                lines.Add(line);
                acks += line.StartsWith("ACK-", StringComparison.Ordinal) ? 1 : 0;
            }
        }
        finally
        {
            // Process.Kill sends SIGKILL on Unix: no finalizers, no flushes, no disposal.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines printed but not yet read count too; a last piece without a newline was cut by the kill.
        var rest = (await process.StandardOutput.ReadToEndAsync(CancellationToken.None)).Split('\n');
        lines.AddRange(rest.Take(rest.Length - 1).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0));
        return lines;
    }

    private sealed record State(int? Attempt);

    /// <summary>One id's operations in one run: k → the attempt put (or null for a delete), and the last acknowledged k.</summary>
    private sealed class IdHistory
    {
        public SortedDictionary<int, int?> Submitted { get; } = [];

        public int LastAcknowledged { get; private set; } = -1;

        public void Acknowledge(int k) => LastAcknowledged = Math.Max(LastAcknowledged, k);

        /// <summary>The state after the last acknowledged operation, then the states after each later one (in flight at the kill).</summary>
        public List<State> AllowedStates()
        {
            // Ids are new in every run, so before its first operation an id is absent.
            var states = new List<State> { new(LastAcknowledged < 0 ? null : Submitted[LastAcknowledged]) };
            states.AddRange(Submitted.Where(p => p.Key > LastAcknowledged).Select(p => new State(p.Value)));
            return states;
        }
    }
}
