using System.Globalization;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Model-based tests (issue 14, "one apply function"): random operation sequences run against the store and against
/// a plain dictionary; memory must equal the model after every operation, and a reopen must reconstruct the same.
/// Small segments make segments roll and automatic compaction trigger.
/// </summary>
public sealed class StoreModelTests : IDisposable
{
    private const int Seeds = 200;
    private const int OperationsPerSeed = 60;
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Retrying is left out: what opening does with it is the queue's business (it comes back Pending), not the store's.
    private static readonly DeadLetterStatus[] StoredStatuses = [DeadLetterStatus.Pending, DeadLetterStatus.Recovered, DeadLetterStatus.Exhausted, DeadLetterStatus.Discarded];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RandomOperations_MemoryAndEveryReopenEqualTheModel()
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            await RunSequentialAsync(seed);
        }
    }

    [Fact]
    public async Task RandomOperationsFromEightTasksBesideCompactions_ReopenEqualsTheUnionOfTheirModels()
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            await RunConcurrentAsync(seed);
        }
    }

    private async Task RunSequentialAsync(int seed)
    {
        var random = new Random(seed);
        var options = Options(_dir.Sub("seq-" + seed));
        var model = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
        var history = new List<string>();
        var version = 0;
        var store = FileDeadLetterStore.Open(options);
        try
        {
            for (var op = 0; op < OperationsPerSeed; op++)
            {
                var roll = random.Next(100);
                try
                {
                    if (roll < 10)
                    {
                        history.Add("reopen");
                        await store.DisposeAsync();
                        store = FileDeadLetterStore.Open(options);
                        AssertEqual(store, model, "after reopen");
                    }
                    else if (roll < 20)
                    {
                        history.Add("compact");
                        await store.CompactAsync();
                        AssertEqual(store, model, "after compaction");
                    }
                    else
                    {
                        var touched = await ApplyRandomWriteAsync(store, model, random, Ids("e", 10), () => ++version, history);
                        AssertEqual(store, model, touched, "in memory");
                    }
                }
                catch (Exception ex) when (ex is not SeedFailedException)
                {
                    throw new SeedFailedException($"Seed {seed} failed at operation {op + 1} ({string.Join(", ", history.TakeLast(12))}): {ex.Message}", ex);
                }
            }

            await store.DisposeAsync();
            store = FileDeadLetterStore.Open(options);
            AssertEqual(store, model, $"seed {seed}: after the final reopen");
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    private async Task RunConcurrentAsync(int seed)
    {
        var options = Options(_dir.Sub("conc-" + seed));
        var models = new Dictionary<string, DeadLetterEntry>[8];
        using var acknowledgements = new SemaphoreSlim(0);
        var finished = 0;
        await using (var store = FileDeadLetterStore.Open(options))
        {
            using var stop = new CancellationTokenSource();
            const int tasksCount = 8;
            var tasks = Enumerable.Range(0, tasksCount).Select(t => Task.Run(async () =>
            {
                var random = new Random((seed * 100) + t);
                var model = models[t] = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
                var version = 0;
                var history = new List<string>();
                var ids = Ids("t" + t, 6);
                try
                {
                    for (var op = 0; op < OperationsPerSeed; op++)
                    {
                        var touched = await ApplyRandomWriteAsync(store, model, random, ids, () => ++version, history);
                        AssertEqual(store, model, touched, $"seed {seed}, task {t}, operation {op + 1}, in memory");
                        acknowledgements.Release();
                    }
                }
                catch
                {
                    await stop.CancelAsync();
                    throw;
                }
                finally
                {
                    if (Interlocked.Increment(ref finished) == tasksCount)
                    {
                        await stop.CancelAsync();
                    }
                }
            })).ToArray();

            var compactions = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        // Something new since the last roll each time (a batch holds at most one write per task).
                        while (acknowledgements.Wait(0))
                        {
                        }

                        for (var a = 0; a < tasksCount + 1; a++)
                        {
                            await acknowledgements.WaitAsync(stop.Token);
                        }

                        await store.CompactAsync();
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Every task is done (or one failed, which the test reports).
                }
            });

            await Task.WhenAll(tasks.Append(compactions)).WaitAsync(TimeSpan.FromSeconds(60));
            AssertEqual(store, Union(models), $"seed {seed}: memory after all tasks");
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        AssertEqual(reopened, Union(models), $"seed {seed}: after a clean close and reopen");
    }

    /// <summary>One random write (save new, change state, replace, delete, or a multi-entry save); returns the ids it touched.</summary>
    private static async Task<string[]> ApplyRandomWriteAsync(
        FileDeadLetterStore store,
        Dictionary<string, DeadLetterEntry> model,
        Random random,
        string[] ids,
        Func<int> nextVersion,
        List<string> history)
    {
        var id = ids[random.Next(ids.Length)];
        var roll = random.Next(100);
        if (roll < 30 && model.TryGetValue(id, out var existing))
        {
            // A state change of the stored entry (same payload and context objects), as the queue's processor makes.
            var changed = existing with
            {
                Status = StoredStatuses[random.Next(StoredStatuses.Length)],
                AttemptCount = existing.AttemptCount + 1,
                UpdatedAt = existing.UpdatedAt.AddSeconds(1),
                NextAttemptAt = random.Next(2) == 0 ? null : Epoch.AddMinutes(random.Next(1000)),
                Error = random.Next(3) == 0 ? existing.Error with { Message = "changed " + nextVersion() } : existing.Error,
            };
            history.Add($"state {id} {changed.Status}/{changed.AttemptCount}");
            await store.SaveAsync([changed]);
            model[id] = changed;
            return [id];
        }

        if (roll < 50)
        {
            var delete = random.Next(4) == 0 ? new[] { id, ids[random.Next(ids.Length)] } : [id];
            history.Add("delete " + string.Join('+', delete));
            await store.DeleteAsync(delete);
            foreach (var gone in delete)
            {
                model.Remove(gone);
            }

            return delete;
        }

        if (roll < 60)
        {
            var batch = ids.OrderBy(_ => random.Next()).Take(2 + random.Next(2)).Select(i => StoreFiles.Entry(i, nextVersion(), 50 + random.Next(1200))).ToList();
            history.Add("save " + string.Join('+', batch.Select(e => e.Id)));
            await store.SaveAsync(batch);
            foreach (var entry in batch)
            {
                model[entry.Id] = entry;
            }

            return batch.Select(e => e.Id).ToArray();
        }

        var savedVersion = nextVersion();
        var saved = StoreFiles.Entry(id, savedVersion, 50 + random.Next(1500));
        history.Add($"save {id} v{savedVersion}");
        await store.SaveAsync([saved]);
        model[id] = saved;
        return [id];
    }

    private static void AssertEqual(FileDeadLetterStore store, Dictionary<string, DeadLetterEntry> model, string[] touched, string when)
    {
        foreach (var id in touched)
        {
            if (model.TryGetValue(id, out var expected))
            {
                store.Find(id).Should().NotBeNull($"'{id}' is in the model ({when})");
                store.Find(id)!.ShouldMatch(expected);
            }
            else
            {
                store.Find(id).Should().BeNull($"'{id}' was deleted ({when})");
            }
        }
    }

    private static void AssertEqual(FileDeadLetterStore store, Dictionary<string, DeadLetterEntry> model, string when)
    {
        store.GetAll().Select(e => e.Id).Should().Equal(model.Keys.Order(StringComparer.Ordinal), $"the store holds exactly the model's ids ({when})");
        store.Count.Should().Be(model.Count);
        store.PayloadBytes.Should().Be(model.Values.Sum(e => (long)e.Payload.Length), $"payload bytes follow the entries ({when})");
        foreach (var (id, expected) in model)
        {
            store.Find(id)!.ShouldMatch(expected);
        }
    }

    private static Dictionary<string, DeadLetterEntry> Union(Dictionary<string, DeadLetterEntry>[] models) =>
        models.SelectMany(m => m).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static string[] Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D2}")).ToArray();

    // Clean closes only, so the cheaper durability mode changes nothing here and keeps 12,000 operations fast.
    private static FileDeadLetterStoreOptions Options(string directory) => new()
    {
        Directory = directory,
        Durability = DurabilityMode.OsBuffered,
        SegmentSize = 4096,
        CompactionThreshold = 8192,
    };

    private sealed class SeedFailedException(string message, Exception inner) : Exception(message, inner);
}
