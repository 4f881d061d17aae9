using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

public sealed class FileDeadLetterStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SaveAsync_ThenReopen_EveryFieldSurvives()
    {
        var entries = Enumerable.Range(0, 20).Select(n => TestEntries.Create(n)).ToList();
        await using (var store = Open())
        {
            await store.SaveAsync(entries);
        }

        await using var reopened = Open();

        reopened.Count.Should().Be(20);
        foreach (var expected in entries)
        {
            reopened.Find(expected.Id)!.ShouldMatch(expected);
        }

        reopened.GetAll().Select(e => e.Id).Should().BeInAscendingOrder(StringComparer.Ordinal);
        reopened.PayloadBytes.Should().Be(20 * 100);
    }

    [Fact]
    public async Task SaveAsync_StateChanges_LatestStateSurvivesReopen()
    {
        var entry = TestEntries.Create(1);
        await using (var store = Open())
        {
            await store.SaveAsync([entry]);
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                entry = store.Find(entry.Id)! with { AttemptCount = attempt, Status = DeadLetterStatus.Retrying, UpdatedAt = entry.UpdatedAt.AddSeconds(attempt) };
                await store.SaveAsync([entry]);
            }

            entry = store.Find(entry.Id)! with { Status = DeadLetterStatus.Exhausted, NextAttemptAt = null };
            await store.SaveAsync([entry]);
        }

        await using var reopened = Open();

        reopened.Find(entry.Id)!.ShouldMatch(entry);
    }

    [Fact]
    public async Task DeleteAsync_ThenReopen_EntryIsGone()
    {
        await using (var store = Open())
        {
            await store.SaveAsync([TestEntries.Create(1), TestEntries.Create(2)]);
            await store.DeleteAsync(["entry-000001", "unknown"]);
            store.Find("entry-000001").Should().BeNull();
        }

        await using var reopened = Open();

        reopened.GetAll().Select(e => e.Id).Should().Equal("entry-000002");
    }

    [Fact]
    public async Task SaveAsync_ManyConcurrentWriters_EveryAcknowledgedEntrySurvives()
    {
        await using (var store = Open())
        {
            var writers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await store.SaveAsync([TestEntries.Create((w * 100) + i)]);
                }
            }));
            await Task.WhenAll(writers);
        }

        await using var reopened = Open();

        reopened.Count.Should().Be(64 * 20);
    }

    [Fact]
    public async Task Open_DirectoryAlreadyOpen_FailsNamingTheHolder()
    {
        await using var first = Open();

        var act = () => Open();

        act.Should().Throw<IOException>().WithMessage($"*{_dir.Path}*locked by process {Environment.ProcessId}*");
    }

    [Fact]
    public async Task Open_AfterDispose_DirectoryIsReleased()
    {
        await using (var first = Open())
        {
            await first.SaveAsync([TestEntries.Create(1)]);
        }

        await using var second = Open();

        second.Count.Should().Be(1);
    }

    [Fact]
    public void Open_DirectoryCannotBeCreated_FailsNamingThePath()
    {
        var file = _dir.Sub("a-file");
        File.WriteAllText(file, "not a directory");
        var path = Path.Combine(file, "store");

        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = path });

        act.Should().Throw<IOException>().WithMessage($"*{path}*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Open_EmptyDirectoryOption_ThrowsNamingTheOption(string directory)
    {
        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory });

        act.Should().Throw<ArgumentException>().WithParameterName("FileDeadLetterStoreOptions.Directory");
    }

    [Fact]
    public void Open_BadSizes_ThrowNamingTheOption()
    {
        var badPayload = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = 0 });
        var badSegment = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 10 });

        badPayload.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("FileDeadLetterStoreOptions.MaxPayloadBytes");
        badSegment.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("FileDeadLetterStoreOptions.SegmentSize");
    }

    [Fact]
    public async Task SaveAsync_PayloadOverLimit_RejectedAsOversizedNothingWrittenStoreUsable()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = 1000 });
        var sizeBefore = Directory.GetFiles(_dir.Path, "seg-*.log").Sum(f => new FileInfo(f).Length);

        var act = async () => await store.SaveAsync([TestEntries.Create(1, payloadBytes: 1001)]);

        (await act.Should().ThrowAsync<DeadLetterRejectedException>()).Which.Reason.Should().Be(DeadLetterFailureReason.Oversized);
        Directory.GetFiles(_dir.Path, "seg-*.log").Sum(f => new FileInfo(f).Length).Should().Be(sizeBefore);
        await store.SaveAsync([TestEntries.Create(2, payloadBytes: 1000)]);
        store.Count.Should().Be(1);
    }

    [Fact]
    public async Task Open_CreatesFilesReadableByOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using (var store = Open())
        {
            await store.SaveAsync([TestEntries.Create(1)]);
        }

        foreach (var file in Directory.GetFiles(_dir.Path, "seg-*.log"))
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
        }
    }

    [Fact]
    public async Task CompactAsync_AfterManyUpdates_ShrinksLogAndReopensToSameContent()
    {
        var expected = new Dictionary<string, DeadLetterEntry>();
        await using (var store = Open(segmentSize: 8192))
        {
            for (var round = 0; round < 10; round++)
            {
                for (var n = 0; n < 30; n++)
                {
                    var entry = TestEntries.Create(n) with { AttemptCount = round };
                    expected[entry.Id] = entry;
                    await store.SaveAsync([entry]);
                }
            }

            await store.DeleteAsync(["entry-000000"]);
            expected.Remove("entry-000000");
            store.SegmentCount.Should().BeGreaterThan(1);

            await store.CompactAsync();

            store.CompactionCount.Should().BeGreaterThan(0);
            store.SegmentCount.Should().Be(1);
        }

        Directory.GetFiles(_dir.Path, "snap-*.bin").Should().ContainSingle();
        await using var reopened = Open(segmentSize: 8192);

        reopened.Count.Should().Be(expected.Count);
        foreach (var entry in expected.Values)
        {
            reopened.Find(entry.Id)!.ShouldMatch(entry);
        }
    }

    [Fact]
    public async Task Open_AfterCompactionThenMoreWrites_ReplaysSnapshotAndLaterRecords()
    {
        await using (var store = Open())
        {
            await store.SaveAsync([TestEntries.Create(1), TestEntries.Create(2)]);
            await store.CompactAsync();
            await store.SaveAsync([TestEntries.Create(3)]);
            await store.DeleteAsync(["entry-000001"]);
        }

        await using var reopened = Open();

        reopened.GetAll().Select(e => e.Id).Should().Equal("entry-000002", "entry-000003");
    }

    private FileDeadLetterStore Open(long segmentSize = 64 * 1024 * 1024)
        => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = segmentSize });
}
