using System.Globalization;

namespace Resilience.DeadLetter.CrashHelper;

/// <summary>
/// The kill -9 test's store workloads (issue 14). Every producer owns its ids, so the order of operations on one id
/// is the order its owner submitted them. Each operation is printed before it is submitted and after it is
/// acknowledged, with a per-id operation number k:
/// "SUBMIT id k PUT attempt" / "SUBMIT id k DEL", then "ACK-PUT id attempt k" / "ACK-DEL id k".
/// A put of (id, attempt) is always <see cref="CrashEntries.Versioned"/>, so the test can recompute its bytes.
/// </summary>
/// <remarks>
/// <c>compact</c>: new entries and status changes beside a loop of <see cref="FileDeadLetterStore.CompactAsync"/>.
/// <c>race</c>: new entries, status changes, deletes, and a delete and a status change of the same id submitted
/// back to back (the status change computed from the entry as read before the delete).
/// </remarks>
public static class StoreWorkload
{
    private const int IdsPerProducer = 16;

    public static async Task<int> RunAsync(string directory, string mode, int producers)
    {
        var compact = mode == "compact";
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions
        {
            Directory = directory,
            SegmentSize = 64 * 1024,
            CompactionThreshold = 256 * 1024,
        });
        Console.WriteLine("READY");

        var runId = Guid.NewGuid().ToString("N")[..8];
        using var acknowledgements = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var random = new Random();
            var owned = new List<Owned>();
            for (var n = 0; ; n++)
            {
                await StepAsync(store, random, owned, string.Create(CultureInfo.InvariantCulture, $"{runId}-{p:D2}-{n:D6}"), compact).ConfigureAwait(false);
                acknowledgements.Release();
            }
        })).ToList();

        if (compact)
        {
            tasks.Add(Task.Run(async () =>
            {
                while (true)
                {
                    // Something new since the last roll each time: a batch holds at most one write per producer.
                    while (acknowledgements.Wait(0))
                    {
                    }

                    for (var a = 0; a < producers + 1; a++)
                    {
                        await acknowledgements.WaitAsync().ConfigureAwait(false);
                    }

                    await store.CompactAsync().ConfigureAwait(false);
                    Console.WriteLine("COMPACTED");
                }
            }));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return 0;
    }

    private static async Task StepAsync(FileDeadLetterStore store, Random random, List<Owned> owned, string newId, bool compact)
    {
        var present = owned.Where(o => o.Current is not null).ToList();
        var absent = owned.Where(o => o.Current is null).ToList();
        var roll = random.Next(100);
        if (present.Count == 0 || (roll < 30 && owned.Count < IdsPerProducer))
        {
            var fresh = new Owned(newId);
            owned.Add(fresh);
            await PutAsync(store, fresh, CrashEntries.Versioned(fresh.Id, fresh.NextAttempt++)).ConfigureAwait(false);
            return;
        }

        var target = present[random.Next(present.Count)];
        if (compact || roll < 55)
        {
            await PutAsync(store, target, Changed(target)).ConfigureAwait(false);
        }
        else if (roll < 70)
        {
            await DeleteAsync(store, target).ConfigureAwait(false);
        }
        else if (roll < 80 && absent.Count > 0)
        {
            var again = absent[random.Next(absent.Count)];
            await PutAsync(store, again, CrashEntries.Versioned(again.Id, again.NextAttempt++)).ConfigureAwait(false);
        }
        else
        {
            // The race: both submitted before either completes; the status change was computed from the entry as it
            // was before the delete. Log order is submission order, so the entry ends up present, as changed.
            var changed = Changed(target);
            var deleteK = target.NextK++;
            var putK = target.NextK++;
            Console.WriteLine($"SUBMIT {target.Id} {deleteK} DEL");
            Console.WriteLine($"SUBMIT {target.Id} {putK} PUT {changed.AttemptCount}");
            var delete = store.DeleteAsync([target.Id]);
            var put = store.SaveAsync([changed]);
            await delete.ConfigureAwait(false);
            Console.WriteLine($"ACK-DEL {target.Id} {deleteK}");
            await put.ConfigureAwait(false);
            target.Current = changed;
            Console.WriteLine($"ACK-PUT {target.Id} {changed.AttemptCount} {putK}");
        }
    }

    // A status change of the stored object itself (same payload and context), as the queue's processor makes it.
    private static DeadLetterEntry Changed(Owned target)
    {
        var attempt = target.NextAttempt++;
        return target.Current! with
        {
            AttemptCount = attempt,
            Status = CrashEntries.StatusOf(attempt),
            UpdatedAt = CrashEntries.UpdatedAtOf(attempt),
        };
    }

    private static async Task PutAsync(FileDeadLetterStore store, Owned target, DeadLetterEntry entry)
    {
        var k = target.NextK++;
        Console.WriteLine($"SUBMIT {target.Id} {k} PUT {entry.AttemptCount}");
        await store.SaveAsync([entry]).ConfigureAwait(false);
        target.Current = entry;
        Console.WriteLine($"ACK-PUT {target.Id} {entry.AttemptCount} {k}");
    }

    private static async Task DeleteAsync(FileDeadLetterStore store, Owned target)
    {
        var k = target.NextK++;
        Console.WriteLine($"SUBMIT {target.Id} {k} DEL");
        await store.DeleteAsync([target.Id]).ConfigureAwait(false);
        target.Current = null;
        Console.WriteLine($"ACK-DEL {target.Id} {k}");
    }

    private sealed class Owned(string id)
    {
        public string Id { get; } = id;

        public DeadLetterEntry? Current { get; set; }

        public int NextAttempt { get; set; }

        public int NextK { get; set; }
    }
}
