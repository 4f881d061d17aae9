using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Regression tests for the store defects of issue 14 (numbers refer to the issue). Races are made deterministic by
/// holding the writer inside a flush (<see cref="GatedFileSystem"/>) while more requests queue behind it.
/// </summary>
public sealed class StoreRegressionTests : IDisposable
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Defect 1: a compaction batched ahead of a save snapshotted without it and deleted the segment holding it.
    [Fact]
    public async Task CompactAsync_QueuedWithASaveBehindABlockedFlush_SaveSurvivesReopen()
    {
        var files = new GatedFileSystem();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path };
        var first = StoreFiles.Entry("entry-1", 1);
        var third = StoreFiles.Entry("entry-3", 1);
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            var gate = files.ArmFlushGate();
            var save1 = Task.Run(() => store.SaveAsync([first]).AsTask());
            await gate.Entered.WaitAsync(GateTimeout);

            var compact = store.CompactAsync();
            var save3 = store.SaveAsync([third]).AsTask();
            gate.Release();
            await Task.WhenAll(save1, compact, save3).WaitAsync(GateTimeout);

            store.Find(third.Id)!.ShouldMatch(third);
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Find(first.Id).Should().NotBeNull("save 1 was acknowledged");
        reopened.Find(third.Id).Should().NotBeNull("save 3 was acknowledged after the compaction queued before it");
        reopened.Find(third.Id)!.ShouldMatch(third);
    }

    // Defect 1 (the bigger repro): writers beside repeated compactions, then a clean close. The race is timing
    // dependent, so the scenario runs three rounds on the same store (each round: 30 compactions, close, reopen).
    [Fact]
    public async Task CompactAsync_BesideSixteenConcurrentWriters_EveryAcknowledgedWriteSurvivesReopen()
    {
        // No automatic compaction: only the explicit ones run.
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 16 * 1024 * 1024, CompactionThreshold = 1L << 40 };
        var acknowledged = new Acknowledged();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        for (var round = 0; round < 3; round++)
        {
            await using (var store = FileDeadLetterStore.Open(options))
            {
                await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions { TimeProvider = time });
                await RunWritersBesideCompactionsAsync(store, queue, acknowledged, round);
                store.CompactionCount.Should().BeGreaterThan(0);
                acknowledged.AssertExactly(store, $"memory holds every acknowledged write (round {round + 1})");
            }

            await using var reopened = FileDeadLetterStore.Open(options);
            acknowledged.AssertExactly(reopened, $"every acknowledged write survives a clean close and reopen (round {round + 1})");
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task RunWritersBesideCompactionsAsync(FileDeadLetterStore store, DeadLetterQueue queue, Acknowledged acknowledged, int round)
    {
        using var acknowledgements = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            try
            {
                // Writers keep going until the compactions are done (each compaction waits for 17 writes). How many
                // writes that is depends on the store's speed, so past a number of new entries each writer goes on
                // rewriting its own: the store stops growing (a bigger one compacts slower, which lets the writers
                // add more, and so on) and the writes still race the compactions.
                const int NewEntriesPerWriter = 1_000;
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    if (t % 2 == 0 || n >= NewEntriesPerWriter)
                    {
                        var entry = StoreFiles.Entry(string.Create(CultureInfo.InvariantCulture, $"r{round}-w{t:D2}-{n % NewEntriesPerWriter:D4}"), n, 100 + (n * 37 % 700));
                        await store.SaveAsync([entry]);
                        acknowledged.Put(entry);
                    }
                    else
                    {
                        var added = await queue.AddAsync("op-" + t, StoreFiles.Marker($"r{round}-q{t}", n), new IOException("down " + n));
                        acknowledged.Put(added);
                    }

                    acknowledgements.Release();
                }
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        })).ToArray();

        try
        {
            for (var c = 0; c < 30; c++)
            {
                // Only compact with something new since the last roll (compacting twice in a row is defect 4's test):
                // a batch holds at most one write per writer, so 17 acknowledgements reach into a later batch.
                while (acknowledgements.Wait(0))
                {
                }

                for (var a = 0; a < 17; a++)
                {
                    await acknowledgements.WaitAsync(stop.Token);
                }

                await store.CompactAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A writer failed; its exception is what the test reports.
        }
        finally
        {
            await stop.CancelAsync();
        }

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    // Defect 3: the record-length bound must come from the format, not from today's options.
    [Fact]
    public async Task Open_RecordWrittenWithLargerMaxPayloadBytes_ReadsBackWithDefaultOptions()
    {
        var large = StoreFiles.Entry("entry-large", 1, payloadBytes: 2 * 1024 * 1024);
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = 4 * 1024 * 1024 }))
        {
            await store.SaveAsync([StoreFiles.Entry("entry-small", 1)]);
            await store.SaveAsync([large]);
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.Find(large.Id).Should().NotBeNull("the 2 MiB record was acknowledged; the default MaxPayloadBytes only limits new writes");
        reopened.Find(large.Id)!.ShouldMatch(large);
        reopened.Find("entry-small").Should().NotBeNull();
    }

    // Defect 4: a compaction with nothing new since the last segment roll failed with "file already exists" and
    // faulted the store.
    [Theory]
    [InlineData("twice in a row")]
    [InlineData("right after creating the store")]
    [InlineData("right after reopening")]
    public async Task CompactAsync_NothingWrittenSinceLastRoll_DoesNotFaultTheStore(string when)
    {
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path };
        var first = StoreFiles.Entry("entry-1", 1);
        if (when == "right after reopening")
        {
            await using var seed = FileDeadLetterStore.Open(options);
            await seed.SaveAsync([first]);
        }

        var later = StoreFiles.Entry("entry-2", 1);
        await using (var store = FileDeadLetterStore.Open(options))
        {
            if (when == "twice in a row")
            {
                await store.SaveAsync([first]);
                await store.CompactAsync();
            }

            await store.Invoking(s => s.CompactAsync()).Should().NotThrowAsync($"a compaction {when} has nothing to do");
            await store.Invoking(s => s.CompactAsync()).Should().NotThrowAsync();
            store.IsFaulted.Should().BeFalse($"a compaction {when} must not fault the store");
            await store.SaveAsync([later]);
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Find(later.Id)!.ShouldMatch(later);
        if (when != "right after creating the store")
        {
            reopened.Find(first.Id)!.ShouldMatch(first);
        }
    }

    // Defect 5: a status change queued behind a delete of the same id was encoded as "status only" from the stale
    // in-memory entry; memory put the whole entry back while replay ignored the status record.
    [Fact]
    public async Task SaveAsync_StatusChangeQueuedBehindDeleteOfSameId_MemoryEqualsReopen()
    {
        var files = new GatedFileSystem();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path };
        var entry = StoreFiles.Entry("entry-1", 1);
        DeadLetterEntry changed;
        DeadLetterEntry? inMemory;
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            await store.SaveAsync([entry]);
            var gate = files.ArmFlushGate();
            var blocker = Task.Run(() => store.SaveAsync([StoreFiles.Entry("entry-other", 1)]).AsTask());
            await gate.Entered.WaitAsync(GateTimeout);

            var delete = store.DeleteAsync([entry.Id]).AsTask();
            changed = store.Find(entry.Id)! with { Status = DeadLetterStatus.Exhausted, AttemptCount = 7, NextAttemptAt = null };
            var save = store.SaveAsync([changed]).AsTask();
            gate.Release();
            await Task.WhenAll(blocker, delete, save).WaitAsync(GateTimeout);
            inMemory = store.Find(entry.Id);
        }

        // The save came after the delete, and a save is an unconditional upsert: the entry exists, as saved.
        inMemory.Should().NotBeNull("the save was acknowledged after the delete");
        inMemory!.ShouldMatch(changed);
        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Find(entry.Id).Should().NotBeNull("memory had the entry, so a reopen must reconstruct it too");
        reopened.Find(entry.Id)!.ShouldMatch(changed);
    }

    // Defect 11: the docs promise owner-only files; LOCK.owner and the directory used the default permissions.
    [Fact]
    public async Task Open_CreatesDirectoryAndEveryFileOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = _dir.Sub("store");
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, SegmentSize = 4096 }))
        {
            for (var n = 0; n < 20; n++)
            {
                await store.SaveAsync([StoreFiles.Entry("entry-" + n, n, 500)]);
            }

            await store.CompactAsync();
            await store.SaveAsync([StoreFiles.Entry("entry-last", 1)]);
            AssertOwnerOnly(directory);
        }

        AssertOwnerOnly(directory);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertOwnerOnly(string directory)
    {
        new DirectoryInfo(directory).UnixFileMode.Should().Be(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "the store directory must be 0700");
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
        files.Should().Contain(f => Path.GetFileName(f) == "LOCK.owner");
        foreach (var file in files)
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, $"'{Path.GetFileName(file)}' must be 0600");
        }
    }
}
