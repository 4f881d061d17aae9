using System.Buffers.Binary;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// What the file format itself promises: reading never depends on today's options, files of any size are read in
/// bounded chunks, the store's total size is capped, and stores written in format 1 (release 1.0) still open.
/// </summary>
public sealed class LogFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reopen_WithSmallerMaxPayloadBytes_StillReadsTheLargerRecord()
    {
        // Issue 14 defect 3: the record-length bound came from MaxPayloadBytes, so this record was cut off as a torn tail.
        var large = TestEntries.Create(1, payloadBytes: 2 * 1024 * 1024);
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = 4 * 1024 * 1024 }))
        {
            await store.SaveAsync([large]);
            await store.SaveAsync([TestEntries.Create(2)]);
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.Find(large.Id)!.ShouldMatch(large);
        reopened.Find(TestEntries.Create(2).Id).Should().NotBeNull();
        reopened.RecoveredTruncatedBytes.Should().Be(0);
    }

    [Fact]
    public async Task Snapshot_LargerThanTheReadChunk_ReopensStreamed()
    {
        // Issue 14 defect 2: whole files were read into one array (2 GiB cap). The reader now streams 1 MiB chunks and
        // grows only to the largest record: a snapshot of several chunks, with records larger than one, reads back.
        var entries = Enumerable.Range(0, 40).Select(n => TestEntries.Create(n, payloadBytes: n % 10 == 0 ? 3 * 1024 * 1024 : 50 * 1024)).ToList();
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = 4 * 1024 * 1024 }))
        {
            await store.SaveAsync(entries);
            await store.CompactAsync();
        }

        Directory.GetFiles(_dir.Path, "snap-*.bin").Should().ContainSingle().Which.Should().Match(path => new FileInfo(path).Length > 10L * 1024 * 1024);
        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        foreach (var entry in entries)
        {
            reopened.Find(entry.Id)!.ShouldMatch(entry);
        }
    }

    [Fact]
    public async Task SaveAsync_PastMaxTotalBytes_RefusedAsFullButRemovalsStillAccepted()
    {
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxTotalBytes = 1024 * 1024 });
        var n = 0;
        var fill = async () =>
        {
            while (true)
            {
                await store.SaveAsync([TestEntries.Create(n++, payloadBytes: 32 * 1024)]);
            }
        };

        (await fill.Should().ThrowAsync<DeadLetterQueueFullException>()).Which.Message.Should().Contain("FileDeadLetterStoreOptions.MaxTotalBytes");
        await store.DeleteAsync(Enumerable.Range(0, n).Select(i => TestEntries.Create(i).Id).ToList());
        store.Count.Should().Be(0);
        store.IsFaulted.Should().BeFalse();
    }

    [Fact]
    public void Options_MaxPayloadBytesAboveTheFormatLimit_RejectedNamingTheOption()
    {
        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, MaxPayloadBytes = DeadLetterLimits.MaxPayloadBytes + 1 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FileDeadLetterStoreOptions.MaxPayloadBytes*");
    }

    [Fact]
    public async Task Open_Format1Store_ReadsEveryEntryAndRewritesItInFormat2()
    {
        // A store written by release 1.0: 32-byte header, records without batches or versions.
        var entries = Enumerable.Range(0, 5).Select(n => TestEntries.Create(n)).ToList();
        var path = Path.Combine(_dir.Path, "seg-00000000000000000001.log");
        Directory.CreateDirectory(_dir.Path);
        using (var file = File.Create(path))
        {
            var header = new byte[32];
            "RLOGSEG1"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 1);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), Crc32C.Compute(header));
            file.Write(header);
            ulong sequence = 1;
            foreach (var entry in entries)
            {
                // Format 1 had neither the versions (16 bytes) nor the failure fields' tail.
                file.Write(Format1Record(RecordCodec.EncodePut(entry, 0, 0), bodyCut: 16 + RecordCodec.FailureTailSize(entry), sequence++));
            }

            // The first entry's state changed later (a format 1 state record, 8 bytes shorter than format 2's).
            file.Write(Format1Record(RecordCodec.EncodeState(entries[0] with { AttemptCount = 4, Status = DeadLetterStatus.Exhausted }, 0), bodyCut: 8 + RecordCodec.FailureTailSize(entries[0]), sequence++));
            file.Write(Format1Record(RecordCodec.EncodeDelete(entries[1].Id, 0), bodyCut: 8, sequence));
        }

        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }))
        {
            store.Count.Should().Be(4);
            store.Find(entries[0].Id)!.Status.Should().Be(DeadLetterStatus.Exhausted);
            store.Find(entries[1].Id).Should().BeNull();
            store.Find(entries[2].Id)!.ShouldMatch(entries[2]);
            store.RecoveryNotes.Should().Contain(note => note.Contains("Rewrote", StringComparison.Ordinal));
        }

        File.Exists(path).Should().BeFalse("the format 1 segment is replaced by a format 2 snapshot");
        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path });
        reopened.Count.Should().Be(4);
        reopened.Find(entries[3].Id)!.ShouldMatch(entries[3]);
    }

    private static byte[] Format1Record(EncodedRecord record, int bodyCut, ulong sequence)
    {
        var body = record.Body[..^bodyCut].ToArray();
        record.Release();
        var bytes = new byte[LogFormat.RecordSize(body.Length)];
        body.CopyTo(bytes.AsSpan(LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize));
        LogFormat.SealRecord(bytes, record.Type, sequence, body.Length);
        return bytes;
    }
}
