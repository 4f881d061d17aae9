using System.Diagnostics;
using System.Globalization;
using Resilience.Compensation;
using Resilience.DeadLetter.CrashHelper;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Compensation;

/// <summary>
/// Kills (SIGKILL) a process at every crash point of a fixed saga workload — after each durable registration, before
/// and after the synchronous Complete(), before and after each step of a 5-step durable rollback, after parking, and
/// during the resume — one point per run, in order, then recovers in this process and checks: a completed operation is
/// never compensated; within each attempt every step ran at most once and last-in first-out; a later attempt never
/// reruns a step the journal recorded as done; and in the end every registered step of the rolled-back operation ran.
/// </summary>
public sealed class CompensationCrashPointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillAtEveryStepBoundary_RecoveryRunsEachStepAtMostOncePerAttemptLifoAndNeverACompletedOperation()
    {
        var points = 0;
        for (var crashAt = 1; ; crashAt++)
        {
            var journal = _dir.Sub($"workload-{crashAt}");
            var child = await RunChildAsync(journal, "workload", crashAt);
            if (child.Contains("END"))
            {
                break;
            }

            child.Should().Contain(l => l.StartsWith("CRASH ", StringComparison.Ordinal), $"run {crashAt} either crashes or ends");
            await RecoverAndCheckAsync(journal, child, $"crash point {crashAt} ({child.Last()})");
            points++;
        }

        points.Should().BeGreaterThanOrEqualTo(25, "every registration, completion, step and parking boundary is a crash point");
    }

    [Fact]
    public async Task KillAtEveryStepBoundaryOfTheResume_RecoveryFinishesTheParkedRollbackOnce()
    {
        // Park B and stop right there, once; each run below starts from a copy of that state.
        var parkedAt = await FindPointAsync("parked B");
        var seed = _dir.Sub("seed");
        var seedLines = await RunChildAsync(seed, "workload", parkedAt);
        seedLines.Last().Should().Contain("parked B");

        var points = 0;
        for (var crashAt = 1; ; crashAt++)
        {
            var journal = _dir.Sub($"resume-{crashAt}");
            Copy(seed, journal);
            Copy(seed + "-dlq", journal + "-dlq");
            var child = await RunChildAsync(journal, "resume", crashAt);
            await RecoverAndCheckAsync(journal, [.. seedLines, .. child], $"resume crash point {crashAt} ({child.Last()})");
            if (child.Contains("END"))
            {
                break;
            }

            points++;
        }

        points.Should().BeGreaterThanOrEqualTo(6, "before and after each resumed step is a crash point");
    }

    private static async Task RecoverAndCheckAsync(string journal, IReadOnlyList<string> child, string because)
    {
        // Attempts, in order, per operation; each attempt lists the steps that ran, in the order they ran.
        var attempts = new Dictionary<string, List<List<int>>>(StringComparer.Ordinal);
        var registered = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var parts in child.Select(l => l.Split(' ')))
        {
            switch (parts[0])
            {
                case "REG":
                    Get(registered, parts[1]).Add(int.Parse(parts[2], CultureInfo.InvariantCulture));
                    break;
                case "ATTEMPT":
                    Get(attempts, parts[1]).Add([]);
                    break;
                case "RAN":
                    var list = Get(attempts, parts[1]);
                    if (list.Count == 0)
                    {
                        list.Add([]);
                    }

                    list[^1].Add(int.Parse(parts[2], CultureInfo.InvariantCulture));
                    break;
            }
        }

        var current = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        await using (var manager = new CompensationManager(new CompensationOptions { JournalDirectory = journal, MaxAttempts = 1 }))
        {
            manager.RegisterHandler("undo", SagaJsonContext.Default.SagaStep, (step, _) =>
            {
                if (!current.TryGetValue(step.Operation, out var run))
                {
                    current[step.Operation] = run = [];
                    Get(attempts, step.Operation).Add(run);
                }

                run.Add(step.Index);
                return default;
            });

            var recovered = await manager.RecoverAsync();
            foreach (var parked in recovered.Where(r => r.ParkedEntryId is not null))
            {
                current.Clear();
                (await manager.ResumeAsync(parked.OperationId)).Succeeded.Should().BeTrue(because);
            }

            (await manager.RecoverAsync()).Should().BeEmpty($"nothing is left unfinished after recovery: {because}");
        }

        if (child.Contains("DONE A"))
        {
            attempts.GetValueOrDefault("A", []).SelectMany(a => a).Should().BeEmpty($"A's completion was acknowledged: {because}");
        }

        foreach (var (operation, list) in attempts)
        {
            var doneBelow = int.MaxValue;
            foreach (var attempt in list)
            {
                attempt.Should().OnlyHaveUniqueItems($"each step of {operation} runs at most once per attempt: {because}")
                    .And.BeInDescendingOrder($"{operation} rolls back last-in first-out: {because}");

                // Steps above the last one that ran had their StepDone written before it started.
                attempt.Where(i => i > doneBelow).Should().BeEmpty($"a step journaled as done is not run again ({operation}): {because}");
                if (attempt.Count > 0)
                {
                    doneBelow = Math.Min(doneBelow, attempt[^1]);
                }
            }
        }

        if (!child.Contains("COMPLETING A") && registered.TryGetValue("A", out var registeredA))
        {
            attempts.GetValueOrDefault("A", []).SelectMany(a => a).Should().Contain(registeredA, $"A did not complete, so its registered steps are undone: {because}");
        }

        if (registered.TryGetValue("B", out var registeredB))
        {
            attempts.GetValueOrDefault("B", []).SelectMany(a => a).Should().Contain(registeredB, $"every registered step of B is undone: {because}");
        }
    }

    private async Task<int> FindPointAsync(string name)
    {
        for (var crashAt = 1; ; crashAt++)
        {
            var lines = await RunChildAsync(_dir.Sub($"find-{crashAt}"), "workload", crashAt);
            lines.Should().NotContain("END", $"the workload has a crash point named '{name}'");
            if (lines.Last().EndsWith(" " + name, StringComparison.Ordinal))
            {
                return crashAt;
            }
        }
    }

    private static async Task<List<string>> RunChildAsync(string directory, string mode, int crashAt)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Resilience.DeadLetter.CrashHelper.dll"));
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add("saga");
        start.Environment["RESILIENCE_SAGA_CRASH_AT"] = crashAt.ToString(CultureInfo.InvariantCulture);
        start.Environment["RESILIENCE_SAGA_MODE"] = mode;

        using var process = Process.Start(start)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(bound.Token);
        var errors = await process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        lines.Should().NotBeEmpty("the helper printed nothing: " + errors);
        (lines.Contains("END") || lines[^1].StartsWith("CRASH ", StringComparison.Ordinal)).Should().BeTrue($"the helper either ends or crashes at a point; stderr: {errors}");
        return lines;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static List<T> Get<T>(Dictionary<string, List<T>> map, string key) => map.TryGetValue(key, out var list) ? list : map[key] = [];

    private static HashSet<int> Get(Dictionary<string, HashSet<int>> map, string key) => map.TryGetValue(key, out var set) ? set : map[key] = [];
}
