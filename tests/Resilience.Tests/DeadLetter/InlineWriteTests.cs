using System.Globalization;
using Resilience.DeadLetter;
using Resilience.DeadLetter.CrashHelper;
using Resilience.DeadLetter.Internal;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// The write path when the log is idle: the caller writes its own record on its own thread (one write system call, no
/// thread switch), while callers that find a write in progress queue behind it and are written by whoever holds the
/// log. Checks the promise of <see cref="DurabilityMode.OsBuffered"/> (an acknowledged write survives kill -9), the
/// order of apply, failure and cancellation on that path, and what one write allocates.
/// </summary>
public sealed class InlineWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task OsBufferedWrites_KilledRightAfterAnAcknowledgement_EveryAcknowledgedEntrySurvives(int producers)
    {
        // One producer writes inline every time; four mix inline writes with queued ones written by another caller.
        // Every acknowledgement went through the mapped segment (checked on Linux, see RunAndKillAsync): a copy into
        // the page cache, no write call, and it must survive the kill all the same.
        var store = _dir.Sub("store");
        var acknowledged = new List<string>();
        for (var kill = 0; kill < 4; kill++)
        {
            acknowledged.AddRange(await RunAndKillAsync(store, producers, ackTarget: 20 + (kill * 37)));

            await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store, SegmentSize = 256 * 1024 });
            foreach (var id in acknowledged)
            {
                var entry = reopened.Find(id);
                entry.Should().NotBeNull($"entry {id} was acknowledged before kill #{kill + 1}");
                var n = int.Parse(id[(id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
                entry!.Payload.ToArray().Should().Equal(CrashEntries.Payload(id, n), $"entry {id} must be intact");
            }
        }

        acknowledged.Should().HaveCountGreaterThan(100);
    }

    [Fact]
    public async Task ConcurrentProducers_InlineAndQueuedWrites_MemoryIsWhatTheLogReplays()
    {
        // Eight producers overwrite and conditionally update the same few ids: if any write were applied to memory out
        // of log order, a version (the record's sequence number) or a conditional update's outcome would differ
        // between the live store and its replay.
        var directory = _dir.Sub("order");
        var ids = Enumerable.Range(0, 6).Select(i => $"shared-{i:D2}").ToArray();
        var options = new FileDeadLetterStoreOptions { Directory = directory, Durability = DurabilityMode.OsBuffered, SegmentSize = 64 * 1024, CompactionThreshold = 128 * 1024 };
        var store = FileDeadLetterStore.Open(options);
        DeadLetterEntry[] live;
        try
        {
            var applied = 0;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
            {
                var random = new Random(p);
                for (var i = 0; i < 250; i++)
                {
                    var id = ids[random.Next(ids.Length)];
                    var entry = Versioned(id, p, i);
                    if (random.Next(3) == 0 && store.Find(id) is { } current)
                    {
                        if (await store.TryUpdateAsync(entry with { Version = current.Version }) is { } updated)
                        {
                            updated.Version.Should().BeGreaterThan(current.Version);
                            Interlocked.Increment(ref applied);
                        }
                    }
                    else
                    {
                        await store.SaveAsync([entry]);
                    }
                }
            })));

            applied.Should().BePositive("some conditional updates won their race");
            live = ids.Select(id => store.Find(id)!).ToArray();
        }
        finally
        {
            await store.DisposeAsync();
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        foreach (var entry in live)
        {
            var replayed = reopened.Find(entry.Id)!;
            replayed.ShouldMatch(entry);
            replayed.Version.Should().Be(entry.Version, $"the version of {entry.Id} is the sequence number of the last record applied");
        }
    }

    [Fact]
    public async Task InlineWriteFails_StoreFaultsAndTheWritesQueuedBehindItFail()
    {
        var files = new BlockingWriteFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered }, files);
        await store.SaveAsync([TestEntries.Create(1)]);

        var gate = files.BlockNextWrite(thenFail: true);
        var inline = Task.Run(() => store.SaveAsync([TestEntries.Create(2)]).AsTask());
        await gate.Entered;
        var queued = Enumerable.Range(3, 4).Select(n => store.SaveAsync([TestEntries.Create(n)]).AsTask()).ToArray();
        queued.Should().OnlyContain(t => !t.IsCompleted, "they wait behind the write in progress");

        gate.Release();
        (await inline.Invoking(t => t).Should().ThrowAsync<DeadLetterStoreFaultedException>()).Which.InnerException.Should().BeOfType<IOException>();
        foreach (var write in queued)
        {
            await write.Invoking(t => t).Should().ThrowAsync<DeadLetterStoreFaultedException>("a write queued behind a failed one is never acknowledged");
        }

        store.IsFaulted.Should().BeTrue();
        store.Count.Should().Be(1);
        await store.Invoking(s => s.SaveAsync([TestEntries.Create(9)]).AsTask()).Should().ThrowAsync<DeadLetterStoreFaultedException>();
    }

    [Fact]
    public async Task QueuedWrite_Cancelled_TheCallerStopsWaitingAndTheWriteStillLands()
    {
        var files = new BlockingWriteFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered }, files);
        var gate = files.BlockNextWrite(thenFail: false);
        var inline = Task.Run(() => store.SaveAsync([TestEntries.Create(1)]).AsTask());
        await gate.Entered;

        using var cancellation = new CancellationTokenSource();
        var queued = store.SaveAsync([TestEntries.Create(2)], cancellation.Token).AsTask();
        queued.IsCompleted.Should().BeFalse();
        await cancellation.CancelAsync();
        await queued.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>("the caller stops waiting while the write in progress is still held");

        gate.Release();
        await inline;

        // Cancelling stops the wait, not the write: a later write is applied after it, in log order.
        await store.SaveAsync([TestEntries.Create(3)]);
        store.Find("entry-000002").Should().NotBeNull();
    }

    [Fact]
    public async Task WriteWithCancelledToken_ThrowsAndWritesNothing()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered });
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await store.Invoking(s => s.SaveAsync([TestEntries.Create(1)], cancellation.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        store.Count.Should().Be(0);
        var diskBytes = store.DiskBytes;
        await store.Invoking(s => s.DeleteAsync(["entry-000001"], cancellation.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        store.DiskBytes.Should().Be(diskBytes, "nothing was written");
    }

    [Theory]
    [InlineData("alloc-", 8)]
    [InlineData("allocated-entry-", 100)]
    public async Task OsBufferedSaveOfOneEntry_AllocatesAtMostOneObject(string prefix, int maxBytesPerWrite)
    {
        // The index's storage is taken out of the measure: as many entries as are measured were stored and deleted
        // first, so the new ones reuse their rows, hash, order and heap places, and the write itself is all that
        // allocates. An id that packs into 16 bytes (the first case) then allocates nothing; one that does not (the
        // second, 24 characters) one extras object for the id (about 64 B). No index entry object for the apply, no
        // string to compare ids of different kinds while finding the entry's place (the ids already stored are of the
        // other kind and sort after the new ones, so every new id goes before them), no task, record or change object.
        // Before: an index entry per apply (160 B), 96 B in the check of the operation type for control characters,
        // and the ids unpacked into strings at every step of the binary search across kinds (755 and 872 B a write).
        const int Writes = 4000;
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered });
        var otherKind = prefix.Length + 8 > 16 ? "zz-" : "zz-stored-entry-";
        for (var i = 0; i < 200; i++)
        {
            await store.SaveAsync([Simple(otherKind, i)]);
        }

        for (var i = 0; i < Writes + 200; i++)
        {
            await store.SaveAsync([Simple(prefix, i)]);
        }

        await store.DeleteAsync(Enumerable.Range(0, Writes + 200).Select(i => Simple(prefix, i).Id).ToArray());
        var batches = Enumerable.Range(Writes + 200, Writes + 200).Select(IReadOnlyList<DeadLetterEntry> (n) => new[] { Simple(prefix, n) }).ToArray();
        for (var i = 0; i < 200; i++)
        {
            await store.SaveAsync(batches[i]);
        }

        var waited = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 200; i < batches.Length; i++)
        {
            // Completes inline (no backlog, nothing to wait for), so every allocation happens on this thread.
            var write = store.SaveAsync(batches[i]);
            waited += write.IsCompletedSuccessfully ? 0 : 1;
            await write;
        }

        var perWrite = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Writes;
        waited.Should().Be(0, "a lone producer writes on its own thread");
        perWrite.Should().BeLessThan(maxBytesPerWrite, "a write allocates nothing but what the index keeps of the entry");
        store.Count.Should().Be(Writes + 400);
        store.Find(batches[300][0].Id).Should().NotBeNull();
        store.Summaries().Select(s => s.Id).Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    private static DeadLetterEntry Simple(string prefix, int n) => new()
    {
        Id = prefix + n.ToString("D8", CultureInfo.InvariantCulture),
        OperationType = "charge-card",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Error = new DeadLetterError { Type = "System.Net.Http.HttpRequestException", Message = "503" },
        Payload = new byte[256],
        MaxAttempts = 10,
    };

    private static DeadLetterEntry Versioned(string id, int producer, int step) => new()
    {
        Id = id,
        OperationType = "order-test",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch.AddSeconds(step),
        Error = new DeadLetterError { Type = "System.IO.IOException", Message = $"from {producer} at {step}" },
        Payload = BitConverter.GetBytes((producer * 1000) + step),
        AttemptCount = step % 9,
        MaxAttempts = 10,
    };

    private static async Task<List<string>> RunAndKillAsync(string directory, int producers, int ackTarget)
    {
        using var process = CrashHelperProcess.Start([directory, producers.ToString(CultureInfo.InvariantCulture), nameof(DurabilityMode.OsBuffered)]);
        var acks = new List<string>();
        string? path = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (acks.Count < ackTarget)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("The crash helper exited early: " + await process.StandardError.ReadToEndAsync(timeout.Token));
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    acks.Add(line[4..]);
                }
                else if (line.StartsWith("MAPPED ", StringComparison.Ordinal))
                {
                    path = line;
                }
            }
        }
        finally
        {
            // Right after the last acknowledgement read: SIGKILL, no flush, no disposal.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var rest = (await process.StandardOutput.ReadToEndAsync(CancellationToken.None)).Split('\n');

        if (OperatingSystem.IsLinux())
        {
            // The acknowledgements went through the mapped segment: copies into the page cache, no write call.
            path.Should().Be("MAPPED True", "OsBuffered writes go through a mapping on Linux");
        }

        // The last piece has no newline when the kill cut a line short: it is not a complete acknowledgement.
        acks.AddRange(rest.Take(rest.Length - 1).Where(l => l.StartsWith("ACK ", StringComparison.Ordinal) && l.Length > 4).Select(l => l[4..].TrimEnd('\r')));
        return acks;
    }

    /// <summary>A real file system whose next write can be held inside the write call (the log's lock held) and then fail.</summary>
    internal sealed class BlockingWriteFileSystem : LogFileSystem
    {
        private WriteGate? _armed;

        public WriteGate BlockNextWrite(bool thenFail)
        {
            var gate = new WriteGate(thenFail);
            Volatile.Write(ref _armed, gate);
            return gate;
        }

        public override LogFile Open(string path, bool createNew) => new BlockingFile(base.Open(path, createNew), this);

        internal sealed class WriteGate(bool thenFail)
        {
            private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public Task Entered => _entered.Task;

            public void Release() => _released.TrySetResult();

            internal void Block()
            {
                _entered.TrySetResult();

                // The writer must really stop inside the write; the bound only keeps a broken test from hanging.
                if (!_released.Task.Wait(TimeSpan.FromSeconds(30)))
                {
                    throw new TimeoutException("The write gate was never released.");
                }

                if (thenFail)
                {
                    throw new IOException("injected write failure (EIO)");
                }
            }
        }

        private sealed class BlockingFile(LogFile inner, BlockingWriteFileSystem owner) : DelegatingLogFile(inner)
        {
            public override void Write(ReadOnlySpan<byte> source, long offset)
            {
                Interlocked.Exchange(ref owner._armed, null)?.Block();
                Inner.Write(source, offset);
            }
        }
    }
}
