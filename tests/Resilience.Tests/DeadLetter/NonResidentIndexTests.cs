using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// The store keeps an index in memory and reads payloads, context and errors from disk (issue 17): what it reads back
/// must be what was written, through state changes, compactions that move records into a snapshot and delete the old
/// files, reopening, and damage that appears on disk after the open.
/// </summary>
public sealed class NonResidentIndexTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Find_AfterStateChangesAndCompactions_ReadsEveryFieldFromTheRecordsThatHoldIt()
    {
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 8192 };
        var expected = new Dictionary<string, DeadLetterEntry>();
        await using (var store = FileDeadLetterStore.Open(options))
        {
            for (var n = 0; n < 60; n++)
            {
                var entry = TestEntries.Create(n, payloadBytes: 50 + n);
                await store.SaveAsync([entry]);
                expected[entry.Id] = entry;
            }

            for (var round = 0; round < 3; round++)
            {
                for (var n = round; n < 60; n += 3)
                {
                    // A state change: its error (with a stack trace) lives in a State record, the payload stays in the Put.
                    var current = store.Find(TestEntries.Create(n).Id)!;
                    var changed = current with
                    {
                        AttemptCount = current.AttemptCount + 1,
                        Status = DeadLetterStatus.Retrying,
                        Error = current.Error with { Message = $"round {round}", StackTrace = "   at Round" + round + "()" },
                    };
                    (await store.TryUpdateAsync(changed)).Should().NotBeNull();
                    expected[changed.Id] = changed;
                }

                var before = Directory.GetFiles(_dir.Path, "seg-*.log");
                await store.CompactAsync();
                Directory.GetFiles(_dir.Path, "seg-*.log").Should().NotContain(before[0], "the compaction deleted the covered segments");
                foreach (var entry in expected.Values)
                {
                    store.Find(entry.Id)!.ShouldMatch(entry);
                }
            }
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Count.Should().Be(expected.Count);
        foreach (var entry in expected.Values)
        {
            reopened.Find(entry.Id)!.ShouldMatch(entry);
        }
    }

    [Fact]
    public async Task Find_RecordDamagedAfterOpen_ReportsCorruptionInsteadOfReturningIt()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        var entry = TestEntries.Create(1) with { Payload = StoreFiles.Marker("damaged", 1) };
        await store.SaveAsync([entry]);
        // Damage the segment under the open store (a bad sector, another process): read it back beside the writer.
        var path = Directory.GetFiles(_dir.Path, "seg-*.log").Single();
        long offset;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            offset = bytes.AsSpan().IndexOf(StoreFiles.Marker("damaged", 1));
            offset.Should().BePositive();
            file.Position = offset;
            file.Write("X"u8);
        }

        var read = () => store.Find(entry.Id);
        read.Should().Throw<DeadLetterStoreCorruptedException>().Which.Message.Should().Contain(Path.GetFileName(path));
    }

    [Fact]
    public async Task TryUpdateAsync_SamePayloadInANewBuffer_WritesOnlyTheState()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        var entry = TestEntries.Create(2);
        await store.SaveAsync([entry]);
        var current = store.Find(entry.Id)!;
        var sizeBefore = store.SizeBytes;

        var updated = await store.TryUpdateAsync(current with { Payload = current.Payload.ToArray(), AttemptCount = 3 });

        updated!.AttemptCount.Should().Be(3);
        store.SizeBytes.Should().Be(sizeBefore, "equal content is a state change, not a new copy of the payload");
        store.Find(entry.Id)!.ShouldMatch(current with { AttemptCount = 3 });
    }

    [Fact]
    public async Task Find_BesideCompactionsThatDeleteTheFilesItReads_AlwaysReturnsTheStoredContent()
    {
        // Small segments and explicit compactions: every few writes the files holding the entries move and are deleted.
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 8192, CompactionThreshold = 1L << 40 });
        var entries = Enumerable.Range(0, 40).Select(n => TestEntries.Create(n, payloadBytes: 64 + n)).ToArray();
        await store.SaveAsync(entries);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var entry in entries)
                {
                    store.Find(entry.Id)!.Payload.ToArray().Should().Equal(entry.Payload.ToArray());
                    reads++;
                }
            }
        });

        for (var round = 0; round < 30 && !reader.IsCompleted; round++)
        {
            var current = store.Find(entries[round].Id)!;
            (await store.TryUpdateAsync(current with { AttemptCount = current.AttemptCount + 1 })).Should().NotBeNull();
            await store.CompactAsync();
        }

        await stop.CancelAsync();
        await reader;
        store.CompactionCount.Should().Be(30);
        reads.Should().BePositive();
    }
}
