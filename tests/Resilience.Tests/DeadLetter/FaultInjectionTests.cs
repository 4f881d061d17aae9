using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// A disk that fails on write or on flush: the store must never acknowledge what it could not make durable, and
/// must refuse every later write until reopened.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(FailurePoint.Write)]
    [InlineData(FailurePoint.Flush)]
    public async Task SaveAsync_DiskFails_NoFalseAcknowledgementAndStoreFaulted(FailurePoint failure)
    {
        var files = new FailingFileSystem();
        var acknowledged = new List<string>();
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }, files))
        {
            for (var n = 0; n < 5; n++)
            {
                await store.SaveAsync([TestEntries.Create(n)]);
                acknowledged.Add(TestEntries.Create(n).Id);
            }

            files.FailNext = failure;
            var failing = async () => await store.SaveAsync([TestEntries.Create(99)]);
            (await failing.Should().ThrowAsync<DeadLetterStoreFaultedException>()).Which.InnerException.Should().BeOfType<IOException>();

            files.FailNext = null;
            store.IsFaulted.Should().BeTrue();
            store.Find("entry-000099").Should().BeNull("an entry that was not acknowledged must not be visible");
            var later = async () => await store.SaveAsync([TestEntries.Create(100)]);
            await later.Should().ThrowAsync<DeadLetterStoreFaultedException>("a faulted store accepts nothing until reopened");
            var delete = async () => await store.DeleteAsync(["entry-000001"]);
            await delete.Should().ThrowAsync<DeadLetterStoreFaultedException>();
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        foreach (var id in acknowledged)
        {
            reopened.Find(id).Should().NotBeNull();
        }

        reopened.Find("entry-000100").Should().BeNull();
        await reopened.SaveAsync([TestEntries.Create(200)]);
        reopened.Find("entry-000200").Should().NotBeNull("a reopened store works again");
    }

    [Fact]
    public async Task OsBufferedSave_CopyIntoTheMappingTornAtTheTail_RecoveredAsUncommittedTail()
    {
        // A process killed in the middle of a copy into the mapped segment leaves the first part of the batch in the
        // page cache and nothing after it: the same as a torn pwrite, so recovery drops it as an uncommitted tail.
        var files = new FailingFileSystem();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered };
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            if (OperatingSystem.IsLinux())
            {
                store.WritesThroughMapping.Should().BeTrue("OsBuffered segments are mapped on Linux");
            }

            for (var n = 0; n < 5; n++)
            {
                await store.SaveAsync([TestEntries.Create(n)]);
            }

            // Read back through the record readers' own handles: they see what was only copied into the mapping.
            store.Find("entry-000004")!.Payload.ToArray().Should().Equal(TestEntries.Create(4).Payload.ToArray());

            files.FailNext = FailurePoint.Write;
            var torn = async () => await store.SaveAsync([TestEntries.Create(99)]);
            await torn.Should().ThrowAsync<DeadLetterStoreFaultedException>();
            files.FailNext = null;
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.RecoveredTruncatedBytes.Should().BeGreaterThan(0, "the half-copied batch is an uncommitted tail");
        reopened.RecoveredQuarantinedBytes.Should().Be(0, "a torn tail is not damage");
        reopened.Count.Should().Be(5);
        reopened.Find("entry-000099").Should().BeNull("its write was never acknowledged");
        for (var n = 0; n < 5; n++)
        {
            reopened.Find(TestEntries.Create(n).Id)!.Payload.ToArray().Should().Equal(TestEntries.Create(n).Payload.ToArray());
        }

        await reopened.SaveAsync([TestEntries.Create(6)]);
        reopened.Find("entry-000006").Should().NotBeNull("writes go on after the torn tail");
    }

    [Fact]
    public async Task OsBufferedSave_NextSegmentCannotBeReserved_CleanFaultAndNoFalseAcknowledgement()
    {
        // Mapped segments are reserved before they are mapped: a full disk fails the roll as an IOException that
        // faults the store (as a failed write does), never as a SIGBUS in a copy into an unbacked page.
        var files = new FailingFileSystem();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered, SegmentSize = 4096 };
        var acknowledged = new List<string>();
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            if (OperatingSystem.IsLinux())
            {
                store.WritesThroughMapping.Should().BeTrue("OsBuffered segments are mapped on Linux");
            }

            var segments = store.SegmentCount;
            var n = 0;
            while (store.SegmentCount == segments)
            {
                await store.SaveAsync([TestEntries.Create(n)]);
                acknowledged.Add(TestEntries.Create(n++).Id);
            }

            // The next roll needs a new segment, whose reservation fails.
            files.FailNext = FailurePoint.Reserve;
            var failing = async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await store.SaveAsync([TestEntries.Create(1000 + i)]);
                    acknowledged.Add(TestEntries.Create(1000 + i).Id);
                }
            };
            (await failing.Should().ThrowAsync<DeadLetterStoreFaultedException>()).Which.InnerException.Should().BeOfType<IOException>()
                .Which.Message.Should().Contain("reservation failure");
            files.FailNext = null;
            store.IsFaulted.Should().BeTrue();
            store.WritesThroughMapping.Should().BeFalse("a faulted store drops its mapping");
            await store.Invoking(s => s.SaveAsync([TestEntries.Create(5000)]).AsTask()).Should().ThrowAsync<DeadLetterStoreFaultedException>();
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 4096 });
        foreach (var id in acknowledged)
        {
            reopened.Find(id).Should().NotBeNull($"{id} was acknowledged");
        }

        reopened.Count.Should().Be(acknowledged.Count, "nothing unacknowledged is visible");
        reopened.RecoveredQuarantinedBytes.Should().Be(0, "a failed reservation damages nothing");
    }

    [Fact]
    public async Task OsBufferedOpen_ResumedSegmentCannotBeReserved_WritesWithoutTheMappingUntilItRolls()
    {
        // The segment a reopen resumes was reserved when it was made, but a store written before segments were mapped
        // has a sparse one: if its blocks cannot be reserved now, it is written with pwrite (a full disk then fails
        // the write as an exception), and the next segment is mapped as usual.
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, Durability = DurabilityMode.OsBuffered, SegmentSize = 4096 };
        await using (var store = FileDeadLetterStore.Open(options))
        {
            await store.SaveAsync([TestEntries.Create(0)]);
        }

        var files = new FailingFileSystem { FailNext = FailurePoint.Reserve };
        var n = 1;
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            files.FailNext = null;
            store.WritesThroughMapping.Should().BeFalse("the resumed segment could not be reserved");
            var segments = store.SegmentCount;
            while (store.SegmentCount == segments)
            {
                await store.SaveAsync([TestEntries.Create(n++)]);
            }

            if (OperatingSystem.IsLinux())
            {
                store.WritesThroughMapping.Should().BeTrue("the next segment is reserved and mapped");
            }

            await store.SaveAsync([TestEntries.Create(n++)]);
            store.Count.Should().Be(n);
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Count.Should().Be(n);
        Enumerable.Range(0, n).Where(i => reopened.Find(TestEntries.Create(i).Id) is null).Should().BeEmpty();
        reopened.RecoveredTruncatedBytes.Should().Be(0);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentWritersWhenDiskFails_EveryWaiterFails()
    {
        var files = new FailingFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }, files);
        files.FailNext = FailurePoint.Flush;

        var writes = Enumerable.Range(0, 32).Select(n => store.SaveAsync([TestEntries.Create(n)]).AsTask()).ToArray();
        foreach (var write in writes)
        {
            await write.Invoking(w => w).Should().ThrowAsync<DeadLetterStoreFaultedException>();
        }

        store.Count.Should().Be(0);
    }

    [Fact]
    public async Task Compaction_RenameFails_OldSegmentsStayAndReopenHasSameContent()
    {
        var files = new FailingFileSystem();
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }, files))
        {
            await store.SaveAsync([TestEntries.Create(1), TestEntries.Create(2)]);
            files.FailMove = true;
            await store.Invoking(s => s.CompactAsync()).Should().ThrowAsync<IOException>();
            await store.SaveAsync([TestEntries.Create(3)]);
        }

        Directory.GetFiles(_dir.Path, "snap-*.bin").Should().BeEmpty();
        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.GetAll().Select(e => e.Id).Should().Equal("entry-000001", "entry-000002", "entry-000003");
    }

    [Fact]
    public async Task Compaction_CrashAfterRenameBeforeDeletes_ReopenHasSameContent()
    {
        var files = new FailingFileSystem();
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }, files))
        {
            await store.SaveAsync([TestEntries.Create(1), TestEntries.Create(2)]);
            await store.DeleteAsync(["entry-000001"]);
            files.FailDelete = true;
            await store.Invoking(s => s.CompactAsync()).Should().ThrowAsync<IOException>();
            files.FailDelete = false;
            await store.SaveAsync([TestEntries.Create(3)]);
        }

        Directory.GetFiles(_dir.Path, "seg-*.log").Length.Should().BeGreaterThan(1, "the covered segments were left behind, as after a crash");
        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.GetAll().Select(e => e.Id).Should().Equal("entry-000002", "entry-000003");
    }

    [Fact]
    public async Task Open_LeftoverTemporarySnapshot_IsIgnored()
    {
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }))
        {
            await store.SaveAsync([TestEntries.Create(1)]);
        }

        await File.WriteAllBytesAsync(Path.Combine(_dir.Path, "snap-00000000000000000001.tmp"), new byte[100]);

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.Count.Should().Be(1);
        Directory.GetFiles(_dir.Path, "*.tmp").Should().BeEmpty();
    }

    public enum FailurePoint
    {
        Write,
        Flush,
        Reserve,
    }

    private sealed class FailingFileSystem : LogFileSystem
    {
        public FailurePoint? FailNext { get; set; }

        public bool FailMove { get; set; }

        public bool FailDelete { get; set; }

        public override LogFile Open(string path, bool createNew) => new FailingFile(base.Open(path, createNew), this);

        public override void Move(string source, string destination)
        {
            if (FailMove)
            {
                throw new IOException("injected rename failure");
            }

            base.Move(source, destination);
        }

        public override void Delete(string path)
        {
            if (FailDelete && path.EndsWith(".log", StringComparison.Ordinal))
            {
                throw new IOException("injected delete failure");
            }

            base.Delete(path);
        }

        private sealed class FailingFile : LogFile
        {
            private readonly LogFile _inner;
            private readonly FailingFileSystem _owner;

            public FailingFile(LogFile inner, FailingFileSystem owner)
            {
                _inner = inner;
                _owner = owner;
            }

            public override long Length => _inner.Length;

            public override int Read(Span<byte> destination, long offset) => _inner.Read(destination, offset);

            public override void Write(ReadOnlySpan<byte> source, long offset)
            {
                if (_owner.FailNext == FailurePoint.Write)
                {
                    // A partial write, as a full disk would leave it.
                    _inner.Write(source[..(source.Length / 2)], offset);
                    throw new IOException("injected write failure (no space left on device)");
                }

                _inner.Write(source, offset);
            }

            public override void Flush()
            {
                if (_owner.FailNext == FailurePoint.Flush)
                {
                    throw new IOException("injected fsync failure (EIO)");
                }

                _inner.Flush();
            }

            public override void SetLength(long length) => _inner.SetLength(length);

            public override bool IsMapped => _inner.IsMapped;

            public override void ReserveAndMap(long length)
            {
                if (_owner.FailNext == FailurePoint.Reserve)
                {
                    // What posix_fallocate reports on a full disk: the segment's blocks cannot be reserved.
                    throw new IOException("injected reservation failure (no space left on device)");
                }

                _inner.ReserveAndMap(length);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
