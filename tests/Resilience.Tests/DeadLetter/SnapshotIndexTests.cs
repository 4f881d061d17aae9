using System.Buffers.Binary;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17, snapshot format 3: a snapshot ends with an index section (what memory keeps of each entry and where its
/// record lies), so reopening reads the index, not the payloads; the records are verified when an entry is read. A
/// damaged index section fails a strict open and makes a lenient one read the records instead, never a wrong entry;
/// format 2 snapshots (no index section) are still read, then rewritten.
/// </summary>
public sealed class SnapshotIndexTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_IndexedSnapshot_ReadsEveryFieldBackFromTheIndex()
    {
        var expected = await WriteCompactedAsync();
        await using var reopened = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        Check(reopened, expected);
        reopened.RecoveryNotes.Should().BeEmpty();
        File.ReadAllBytes(SnapshotPath()).AsSpan(0, 8).ToArray().Should().Equal("RLOGSNP3"u8.ToArray());
    }

    [Fact]
    public async Task Open_PayloadRecordDamaged_OpensFromTheIndexAndReportsTheDamageWhenTheEntryIsRead()
    {
        var expected = await WriteCompactedAsync();
        var damaged = expected.Values.First(e => e.Payload.Length > 0);
        var path = SnapshotPath();
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(damaged.Payload.Span);
        at.Should().BePositive();
        bytes[at] ^= 0x55;
        File.WriteAllBytes(path, bytes);

        await using var reopened = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        reopened.Count.Should().Be(expected.Count, "the open reads the index section, not the payload records");
        reopened.Invoking(s => s.Find(damaged.Id)).Should().Throw<DeadLetterStoreCorruptedException>("a record is verified when it is read");
        foreach (var entry in expected.Values.Where(e => e.Id != damaged.Id))
        {
            reopened.Find(entry.Id)!.ShouldMatch(entry);
        }
    }

    [Theory]
    [InlineData("first index record")]
    [InlineData("last index record")]
    [InlineData("end record")]
    public async Task Open_IndexSectionDamaged_StrictThrowsAndLenientReadsTheRecords(string where)
    {
        var expected = await WriteCompactedAsync();
        var path = SnapshotPath();
        var bytes = File.ReadAllBytes(path);
        var end = bytes.Length - LogFormat.SnapshotIndexEndSize;
        var start = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(end + LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize));
        start.Should().BeInRange(LogFormat.HeaderSize, end);
        var at = where switch
        {
            "first index record" => start + 40,
            "last index record" => end - 16,
            _ => bytes.Length - 12,
        };
        bytes[at] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var strict = () => FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        strict.Should().Throw<DeadLetterStoreCorruptedException>().WithMessage("*index section*");

        await using (var lenient = FileDeadLetterStore.Open(Options(CorruptionHandling.Lenient)))
        {
            Check(lenient, expected);
            lenient.RecoveryNotes.Should().Contain(note => note.Contains("index section", StringComparison.Ordinal));
        }

        await using var again = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        Check(again, expected);
    }

    [Fact]
    public async Task Open_Format2Snapshot_ReadsEveryEntryAndRewritesItWithAnIndex()
    {
        var expected = await WriteCompactedAsync();
        var path = SnapshotPath();
        var bytes = File.ReadAllBytes(path);
        var end = bytes.Length - LogFormat.SnapshotIndexEndSize;
        var start = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(end + LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize));

        // A format 2 snapshot is a format 3 one without the index section, under the format 2 header.
        var format2 = bytes[..start];
        "RLOGSNP2"u8.CopyTo(format2);
        BinaryPrimitives.WriteUInt32LittleEndian(format2.AsSpan(8), 2);
        format2.AsSpan(12, 4).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(format2.AsSpan(12), Crc32C.Compute(format2.AsSpan(0, LogFormat.HeaderSize)));
        File.WriteAllBytes(path, format2);

        await using (var store = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict)))
        {
            Check(store, expected);
            store.RecoveryNotes.Should().Contain(note => note.Contains("Rewrote", StringComparison.Ordinal));
        }

        File.ReadAllBytes(SnapshotPath()).AsSpan(0, 8).ToArray().Should().Equal("RLOGSNP3"u8.ToArray(), "the open rewrote the snapshot in format 3");
        await using var reopened = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        Check(reopened, expected);
        reopened.RecoveryNotes.Should().BeEmpty();
    }

    [Fact]
    public async Task Open_SnapshotSalvagedWithNothingAfterIt_TheRewrittenSnapshotIsKeptAndTheNextOpenHasTheSalvagedEntries()
    {
        // Index section and one payload record damaged: a lenient open salvages the records that verify and rewrites
        // the log as a snapshot through the same sequence, so under the damaged snapshot's own name. Setting the
        // damaged file aside must not take the new snapshot with it.
        var expected = await WriteCompactedAsync();
        var damaged = expected.Values.First(e => e.Payload.Length > 0);
        var path = SnapshotPath();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.AsSpan().IndexOf(damaged.Payload.Span)] ^= 0x55;
        bytes[^12] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        expected.Remove(damaged.Id);

        await using (var lenient = FileDeadLetterStore.Open(Options(CorruptionHandling.Lenient)))
        {
            Check(lenient, expected);
        }

        await using var again = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        Check(again, expected);
        Directory.GetFiles(_dir.Path, "snap-*.corrupt-*").Should().ContainSingle("the damaged snapshot is kept for inspection under another name");
    }

    private static void Check(FileDeadLetterStore store, Dictionary<string, DeadLetterEntry> expected)
    {
        store.Count.Should().Be(expected.Count);
        foreach (var entry in expected.Values)
        {
            var found = store.Find(entry.Id)!;
            found.ShouldMatch(entry);
            found.FailureGroup.Should().Be(entry.FailureGroup);
            found.FirstFailedAt.Should().Be(entry.FirstFailedAt);
            found.LastFailedAt.Should().Be(entry.LastFailedAt);
            found.ReplayCount.Should().Be(entry.ReplayCount);
            found.LastReplayedAt.Should().Be(entry.LastReplayedAt);
        }

        store.GetCounts().Should().BeEquivalentTo(DeadLetterCounts.Compute(store.GetAll()));
        store.Summaries().Select(s => s.Id).Should().Equal(expected.Keys.Order(StringComparer.Ordinal));
    }

    private FileDeadLetterStoreOptions Options(CorruptionHandling handling) => new() { Directory = _dir.Path, SegmentSize = 16 * 1024, CorruptionHandling = handling };

    private string SnapshotPath() => Directory.GetFiles(_dir.Path, "snap-*.bin").Single();

    /// <summary>Entries of every shape (ids, groups, replays, state changes), compacted into one snapshot and closed.</summary>
    private async Task<Dictionary<string, DeadLetterEntry>> WriteCompactedAsync()
    {
        var expected = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
        await using var store = FileDeadLetterStore.Open(Options(CorruptionHandling.Strict));
        for (var n = 0; n < 2000; n++)
        {
            var failed = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(n);
            var entry = TestEntries.Create(n, payloadBytes: 20 + (n % 50)) with
            {
                Id = n < EntryIndexTests.IdShapes.Length ? EntryIndexTests.IdShapes[n] : TestEntries.Create(n).Id,
                Status = (DeadLetterStatus)(n % 6),
                FailureGroup = n % 3 == 0 ? null : "group-" + (n % 7),
                FirstFailedAt = n % 5 == 0 ? null : failed,
                LastFailedAt = n % 5 == 0 ? null : failed.AddMinutes(1),
                ReplayCount = n % 11 == 0 ? 2 : 0,
                LastReplayedAt = n % 11 == 0 ? failed.AddHours(1) : null,
            };
            expected[entry.Id] = entry;
        }

        await store.SaveAsync([.. expected.Values]);
        foreach (var id in expected.Keys.Where((_, i) => i % 4 == 1).ToList())
        {
            var changed = store.Find(id)! with { AttemptCount = 9, Status = DeadLetterStatus.Retrying };
            (await store.TryUpdateAsync(changed)).Should().NotBeNull();
            expected[id] = changed;
        }

        await store.DeleteAsync([.. expected.Keys.Where((_, i) => i % 9 == 2)]);
        foreach (var id in expected.Keys.Where((_, i) => i % 9 == 2).ToList())
        {
            expected.Remove(id);
        }

        await store.CompactAsync();
        return expected;
    }
}
