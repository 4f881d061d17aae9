using FluentAssertions;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;
using Xunit;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// How durable writes are batched and flushed (issue 17, 64 producers near the disk's group-commit limit): the caller
/// whose write completes a gather writes the batch on its own thread (no writer occupies a processor waiting for the
/// callers), a gather that not enough callers come back to ends at its deadline, and flushes go into blocks written
/// beforehand, so a flush writes data and no allocation.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private const int SeekHole = 4;
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Gather_TheCallerWhoseWriteCompletesIt_WritesTheBatchOnItsOwnThread()
    {
        var files = new GatedFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxGatherWait = TimeSpan.FromHours(1) }, files);
        await ReleaseTwoCallersInOneBatchAsync(store, files);

        // The batch that released two callers waits for two writes; nobody writes meanwhile.
        var batches = store.WrittenBatches;
        var fourth = store.SaveAsync([StoreFiles.Entry("entry-4", 1)]);
        fourth.IsCompleted.Should().BeFalse("the gather waits for a second write");
        var fifth = store.SaveAsync([StoreFiles.Entry("entry-5", 1)]);

        fifth.IsCompleted.Should().BeTrue("the caller whose write completes the gather writes (and flushes) the batch itself");
        fourth.IsCompleted.Should().BeTrue("its write was in the batch the last caller wrote");
        store.WrittenBatches.Should().Be(batches + 1, "both writes went in one batch");
        await fourth;
        await fifth;
        store.Find("entry-4").Should().NotBeNull();
        store.Find("entry-5").Should().NotBeNull();
    }

    [Fact]
    public async Task Gather_NotEnoughCallersComeBack_EndsAtItsDeadline()
    {
        var files = new GatedFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxGatherWait = TimeSpan.FromMilliseconds(1) }, files);
        await ReleaseTwoCallersInOneBatchAsync(store, files);

        // One caller of the two comes back: the gather's deadline, not a second write, gets it written.
        await store.SaveAsync([StoreFiles.Entry("entry-4", 1)]).AsTask().WaitAsync(GateTimeout);

        store.Find("entry-4").Should().NotBeNull();
    }

    [Fact]
    public async Task DisposeAsync_DuringAGather_WritesTheWaitingRequestFirst()
    {
        var files = new GatedFileSystem();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxGatherWait = TimeSpan.FromHours(1) };
        Task waiting;
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            await ReleaseTwoCallersInOneBatchAsync(store, files);
            waiting = store.SaveAsync([StoreFiles.Entry("entry-4", 1)]).AsTask();
            waiting.IsCompleted.Should().BeFalse("the gather waits for a second write");
        }

        await waiting.WaitAsync(GateTimeout);
        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Find("entry-4").Should().NotBeNull("the write was acknowledged before the close returned");
    }

    [Fact]
    public async Task DurableWrite_FlushesIntoBlocksWrittenAhead_AlsoAfterAReopen()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path };
        await using (var store = FileDeadLetterStore.Open(options))
        {
            await store.SaveAsync([StoreFiles.Entry("entry-1", 1)]);
            FirstHole(Segment()).Should().BeGreaterThanOrEqualTo(512 * 1024, "the blocks after the data were written (with zeros) in the batch's flush");
        }

        // A reopened store resumes the same segment and keeps writing ahead of its data.
        await using (var store = FileDeadLetterStore.Open(options))
        {
            for (var i = 2; i < 2_000; i++)
            {
                await store.SaveAsync([StoreFiles.Entry($"entry-{i}", 1)]);
            }

            var dataEnd = store.ActiveSegmentUsedBytes;
            dataEnd.Should().BeGreaterThan(512 * 1024, "the writes went past the first zero-filled stretch");
            FirstHole(Segment()).Should().BeGreaterThanOrEqualTo(dataEnd + (512 * 1024), "zeros stay ahead of the data");
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        reopened.Find("entry-1").Should().NotBeNull();
        reopened.Find("entry-1999").Should().NotBeNull();
        reopened.Count.Should().Be(1_999);
    }

    /// <summary>
    /// Ends with one batch of two callers written by a pool thread, which starts a gather for two: the first caller
    /// writes alone while held in its flush, the two queued behind it go together.
    /// </summary>
    private static async Task ReleaseTwoCallersInOneBatchAsync(FileDeadLetterStore store, GatedFileSystem files)
    {
        var gate = files.ArmFlushGate();
        var first = Task.Run(() => store.SaveAsync([StoreFiles.Entry("entry-1", 1)]).AsTask());
        await gate.Entered.WaitAsync(GateTimeout);
        var second = store.SaveAsync([StoreFiles.Entry("entry-2", 1)]).AsTask();
        var third = store.SaveAsync([StoreFiles.Entry("entry-3", 1)]).AsTask();
        var batches = store.WrittenBatches;
        gate.Release();
        await Task.WhenAll(first, second, third).WaitAsync(GateTimeout);
        store.WrittenBatches.Should().Be(batches + 1, "the two writes queued behind the flush went in one batch");
    }

    private string Segment() => Directory.GetFiles(_dir.Path, "seg-*.log").Should().ContainSingle().Subject;

    private static long FirstHole(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return NativeMethods.LSeek((int)handle.DangerousGetHandle(), 0, SeekHole);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
