using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Fault injection for issue 14: a batch torn by a crash in the middle of its write (half of it reaches the file),
/// then reopening, compacting and writing on top of the torn tail. Nothing of the torn batch was acknowledged;
/// everything before it was, and must survive every later step.
/// </summary>
public sealed class CompactionTornTailTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_TornFinalBatchThenCompactionAndWrites_ReopenHasExactlyTheAcknowledgedEntries()
    {
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 64 * 1024 };
        var acknowledged = new Acknowledged();
        var files = new TornWriteFileSystem();
        await using (var store = FileDeadLetterStore.Open(options, files))
        {
            for (var n = 0; n < 6; n++)
            {
                var entry = StoreFiles.Entry($"entry-{n}", 1, 300);
                await store.SaveAsync([entry]);
                acknowledged.Put(entry);
            }

            await store.DeleteAsync(["entry-2"]);
            acknowledged.Delete("entry-2");

            files.TearNextWrite = true;
            var torn = Enumerable.Range(0, 4).Select(n => StoreFiles.Entry($"torn-{n}", 1, 2000)).ToList();
            await store.Invoking(s => s.SaveAsync(torn).AsTask()).Should().ThrowAsync<DeadLetterStoreFaultedException>("(test setup) the write was torn");
        }

        StoreFiles.FindAll(_dir.Path, StoreFiles.Marker("torn-0", 1)).Should().NotBeEmpty("(test setup) part of the torn batch reached the file");
        await using (var reopened = FileDeadLetterStore.Open(options))
        {
            acknowledged.AssertExactly(reopened, "a torn final batch is discarded and nothing acknowledged is lost");
            reopened.RecoveryNotes.Should().NotBeEmpty("discarding the torn batch is reported");
            await reopened.CompactAsync();
            var after = StoreFiles.Entry("after-compaction", 1);
            await reopened.SaveAsync([after]);
            acknowledged.Put(after);
            await reopened.CompactAsync();
            var last = StoreFiles.Entry("after-second-compaction", 1);
            await reopened.SaveAsync([last]);
            acknowledged.Put(last);
            acknowledged.AssertExactly(reopened, "in memory after compacting over a torn tail");
        }

        await using var strict = FileDeadLetterStore.Open(options);
        acknowledged.AssertExactly(strict, "after compacting over a torn tail and reopening");
    }

    /// <summary>A disk whose next write stores only its first half and then fails, as a crash in the middle of it would.</summary>
    private sealed class TornWriteFileSystem : LogFileSystem
    {
        public bool TearNextWrite { get; set; }

        public override LogFile Open(string path, bool createNew) => new TornFile(base.Open(path, createNew), this);

        private sealed class TornFile(LogFile inner, TornWriteFileSystem owner) : DelegatingLogFile(inner)
        {
            public override void Write(ReadOnlySpan<byte> source, long offset)
            {
                if (owner.TearNextWrite)
                {
                    owner.TearNextWrite = false;
                    Inner.Write(source[..(source.Length / 2)], offset);
                    Inner.Flush();
                    throw new IOException("injected crash in the middle of a write");
                }

                Inner.Write(source, offset);
            }
        }
    }
}
