using System.Runtime.CompilerServices;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// A disposed store must be collectable: its index is about 114 B per entry, so a store that stays reachable after
/// disposal keeps a whole queue's index alive (at ten million entries, more than a gigabyte) in a process that
/// reopens its store (a restart of a hosted service, a configuration reload, a benchmark's reopen).
/// </summary>
public sealed class DisposedStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DurabilityMode.Always, false, false)]
    [InlineData(DurabilityMode.OsBuffered, false, false)]
    [InlineData(DurabilityMode.OsBuffered, true, false)]
    [InlineData(DurabilityMode.OsBuffered, true, true)]
    [InlineData(DurabilityMode.Always, true, true)]
    public async Task DisposeAsync_AfterWritesAndACompaction_TheStoreCanBeCollected(DurabilityMode durability, bool concurrent, bool automaticCompaction)
    {
        var store = await UseAndDisposeAsync(_dir.Path, durability, concurrent, automaticCompaction);

        for (var i = 0; i < 10 && store.IsAlive; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
        }

        store.IsAlive.Should().BeFalse("nothing may keep a disposed store (and its index) reachable");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> UseAndDisposeAsync(string directory, DurabilityMode durability, bool concurrent, bool automaticCompaction)
    {
        var options = new FileDeadLetterStoreOptions { Directory = directory, Durability = durability };
        if (automaticCompaction)
        {
            // Small segments and threshold: rolls and compactions the store starts on its own while writes go on.
            options.SegmentSize = 256 * 1024;
            options.CompactionThreshold = 128 * 1024;
        }

        var store = FileDeadLetterStore.Open(options);
        await using (store.ConfigureAwait(false))
        {
            if (concurrent && automaticCompaction)
            {
                // Many writes queued from one thread, none awaited until all are issued (a backlog behind the writer).
                var pending = new List<Task>();
                for (var i = 0; i < 64; i++)
                {
                    pending.Add(store.SaveAsync(Enumerable.Range(0, 100).Select(n => StoreFiles.Entry($"queued-{i}-{n}", 1)).ToArray()).AsTask());
                }

                await Task.WhenAll(pending);
            }

            if (concurrent)
            {
                await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
                {
                    for (var i = 0; i < 50; i++)
                    {
                        // Batches as well as single entries, the same ids put again (dead bytes for compaction).
                        var batch = Enumerable.Range(0, 1 + (i % 20)).Select(n => StoreFiles.Entry($"entry-{p}-{n}", 1)).ToArray();
                        await store.SaveAsync(batch);
                    }
                })));
            }
            else
            {
                for (var i = 0; i < 50; i++)
                {
                    await store.SaveAsync([StoreFiles.Entry($"entry-{i}", 1)]);
                }
            }

            await store.CompactAsync();
            await store.SaveAsync([StoreFiles.Entry("after-compaction", 1)]);
        }

        return new WeakReference(store);
    }
}
