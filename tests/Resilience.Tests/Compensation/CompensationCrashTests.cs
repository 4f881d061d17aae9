using System.Diagnostics;
using System.Globalization;
using Resilience.Compensation;
using Resilience.DeadLetter.CrashHelper;
using Resilience.Tests.DeadLetter;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Compensation;

/// <summary>
/// Kills a process running sagas (named, journaled compensations) at random moments — during registrations, completions
/// and rollbacks — then recovers in this process and checks: every registered step of an operation that did not finish
/// ran at least once, recovery ran them last-in first-out, and nothing ran for an operation whose completion was
/// acknowledged. 30 kills per run by default; RESILIENCE_CRASH_ITERATIONS raises it.
/// </summary>
public sealed class CompensationCrashTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillDuringSagas_RecoveryCompensatesEveryUnfinishedStepLifoAndNoCompletedOne()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CRASH_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n / 2) : 30;
        var random = new Random(7);
        var journal = _dir.Sub("journal");
        var registered = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var ran = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var completing = new HashSet<string>(StringComparer.Ordinal);
        var rolled = new HashSet<string>(StringComparer.Ordinal);
        var recoveredRuns = new Dictionary<string, List<int>>(StringComparer.Ordinal);

        for (var i = 0; i < iterations; i++)
        {
            foreach (var line in await RunAndKillAsync(journal, linesBeforeKill: 5 + random.Next(60)))
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "REG":
                        Get(registered, parts[1]).Add(int.Parse(parts[2], CultureInfo.InvariantCulture));
                        break;
                    case "RAN":
                        Get(ran, parts[1]).Add(int.Parse(parts[2], CultureInfo.InvariantCulture));
                        break;
                    case "COMPLETING":
                        completing.Add(parts[1]);
                        break;
                    case "DONE":
                        done.Add(parts[1]);
                        break;
                    case "ROLLED":
                        rolled.Add(parts[1]);
                        break;
                }
            }

            await using var manager = new CompensationManager(new CompensationOptions { JournalDirectory = journal, MaxAttempts = 1 });
            manager.RegisterHandler("undo", SagaJsonContext.Default.SagaStep, (step, _) =>
            {
                Get(recoveredRuns, step.Operation).Add(step.Index);
                Get(ran, step.Operation).Add(step.Index);
                return default;
            });
            await manager.RecoverAsync();
        }

        recoveredRuns.Keys.Should().NotIntersectWith(done, "an operation whose completion was acknowledged is never compensated");
        foreach (var (operation, runs) in recoveredRuns)
        {
            runs.Should().BeInDescendingOrder($"recovery of {operation} runs last-in first-out").And.OnlyHaveUniqueItems();
        }

        // An operation killed between COMPLETING and DONE may have completed durably or not: either outcome is right.
        foreach (var (operation, steps) in registered.Where(r => !completing.Contains(r.Key)))
        {
            ran.GetValueOrDefault(operation, []).Should().Contain(steps, $"every registered step of unfinished operation {operation} ran at least once");
        }

        registered.Should().NotBeEmpty();
        recoveredRuns.Should().NotBeEmpty("some kills should interrupt an operation");
    }

    private static List<T> Get<T>(Dictionary<string, List<T>> map, string key) => map.TryGetValue(key, out var list) ? list : map[key] = [];

    private static HashSet<int> Get(Dictionary<string, HashSet<int>> map, string key) => map.TryGetValue(key, out var set) ? set : map[key] = [];

    private static async Task<List<string>> RunAndKillAsync(string directory, int linesBeforeKill)
    {
        using var process = CrashHelperProcess.Start([directory, "saga"]);
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (lines.Count < linesBeforeKill)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("The saga helper exited early: " + await process.StandardError.ReadToEndAsync(timeout.Token));
                lines.Add(line);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var rest = (await process.StandardOutput.ReadToEndAsync(CancellationToken.None)).Split('\n');
        lines.AddRange(rest.Take(rest.Length - 1).Select(l => l.TrimEnd('\r')));
        return lines;
    }
}
