using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Damages a closed store's files (issue 14, defects 7, 8 and 12) and checks what opening makes of it. Positions are
/// found by searching for payload markers the test wrote, never by parsing the format. The rules:
/// loss of acknowledged data is never silent in strict mode (it throws, unless every acknowledged entry is intact);
/// a torn final batch is discarded whole and reported; lenient mode recovers what verifies, never resurrects a
/// verified delete, reports what it dropped, and leaves a store a strict open accepts; nothing is ever a wrong read.
/// </summary>
public sealed class StoreMutationTests : IDisposable
{
    private const int MaxCuts = 200;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Defect 12: a cut at a record boundary opened silently in strict mode.
    [Fact]
    public async Task Open_NewestSegmentTruncatedAtAnyAlignedOffset_StrictNeverSilentAndNoWrongRead()
    {
        var original = _dir.Sub("original");
        var options = new FileDeadLetterStoreOptions { Directory = original, SegmentSize = 64 * 1024 };
        var (acknowledged, last) = await WriteMixedHistoryAsync(options, count: 12);
        var (segment, lastOffset) = StoreFiles.FindSingle(original, StoreFiles.Marker(last.Id, 1));
        var (_, firstOffset) = StoreFiles.FindSingle(original, StoreFiles.Marker("entry-00", 1));
        var length = new FileInfo(segment).Length;
        var start = Math.Max(0, (firstOffset - 64) & ~7L);
        var end = Math.Min(length - 1, lastOffset + last.Payload.Length + 64);
        var cuts = Enumerable.Range(0, (int)((end - start) / 8) + 1).Select(i => start + (i * 8L)).ToList();
        var stride = (cuts.Count + MaxCuts - 1) / MaxCuts;
        var silentLosses = new List<long>();
        var unreportedLosses = new List<long>();

        foreach (var cut in cuts.Where((_, i) => i % stride == 0))
        {
            // Strict and lenient each get their own copy: a successful open may repair the files.
            var strictCopy = StoreFiles.CopyDirectory(original, _dir.Sub("strict-" + cut));
            var lenientCopy = StoreFiles.CopyDirectory(original, _dir.Sub("lenient-" + cut));
            StoreFiles.Truncate(Path.Combine(strictCopy, Path.GetFileName(segment)), cut);
            StoreFiles.Truncate(Path.Combine(lenientCopy, Path.GetFileName(segment)), cut);
            try
            {
                await using var strict = FileDeadLetterStore.Open(options.With(strictCopy));
                acknowledged.AssertOnlyAcknowledgedVersions(strict);
                if (!IsExactly(strict, acknowledged))
                {
                    silentLosses.Add(cut);
                }
            }
            catch (DeadLetterStoreCorruptedException)
            {
                // Refusing is the answer for a cut that loses acknowledged data; lenient must then recover the rest.
            }

            await using (var lenient = FileDeadLetterStore.Open(options.With(lenientCopy, CorruptionHandling.Lenient)))
            {
                acknowledged.AssertOnlyAcknowledgedVersions(lenient);
                if (!IsExactly(lenient, acknowledged) && lenient.RecoveryNotes.Count == 0)
                {
                    unreportedLosses.Add(cut);
                }
            }

            Directory.Delete(strictCopy, recursive: true);
            Directory.Delete(lenientCopy, recursive: true);
        }

        silentLosses.Should().BeEmpty("a strict open that loses acknowledged entries must throw DeadLetterStoreCorruptedException (cuts at these byte offsets of {0} opened without it)", length);
        unreportedLosses.Should().BeEmpty("a lenient open that loses acknowledged entries must say so in RecoveryNotes");
    }

    // Defect 12: deleting the newest segment opened silently in strict mode.
    [Fact]
    public async Task Open_NewestOfSeveralSegmentsDeleted_StrictThrowsAndLenientReportsIt()
    {
        var original = _dir.Sub("original");
        var options = new FileDeadLetterStoreOptions { Directory = original, SegmentSize = 4096, CompactionThreshold = 1L << 40 };
        var (acknowledged, last) = await WriteMixedHistoryAsync(options, count: 14, payloadBytes: 500);
        var (newest, _) = StoreFiles.FindSingle(original, StoreFiles.Marker(last.Id, 1));
        var (oldest, _) = StoreFiles.FindSingle(original, StoreFiles.Marker("entry-00", 1));
        oldest.Should().NotBe(newest, "the store must span several segments for this test");
        var copy = StoreFiles.CopyDirectory(original, _dir.Sub("copy"));
        File.Delete(Path.Combine(copy, Path.GetFileName(newest)));

        var strict = () => FileDeadLetterStore.Open(options.With(copy));
        strict.Should().Throw<DeadLetterStoreCorruptedException>("the newest segment held acknowledged entries");

        await AssertLenientThenStrictAgreeAsync(options.With(copy), acknowledged);
    }

    // Defect 8: a missing segment was skipped in lenient mode without a recovery note.
    [Fact]
    public async Task Open_MiddleSegmentDeleted_StrictThrowsAndLenientReportsIt()
    {
        var original = _dir.Sub("original");
        var options = new FileDeadLetterStoreOptions { Directory = original, SegmentSize = 4096, CompactionThreshold = 1L << 40 };
        var acknowledged = new Acknowledged();
        await using (var store = FileDeadLetterStore.Open(options))
        {
            for (var n = 0; n < 20; n++)
            {
                var entry = StoreFiles.Entry($"entry-{n:D2}", 1, 500);
                await store.SaveAsync([entry]);
                acknowledged.Put(entry);
            }
        }

        var (oldest, _) = StoreFiles.FindSingle(original, StoreFiles.Marker("entry-00", 1));
        var (newest, _) = StoreFiles.FindSingle(original, StoreFiles.Marker("entry-19", 1));
        var middle = Enumerable.Range(1, 18).Select(n => StoreFiles.FindSingle(original, StoreFiles.Marker($"entry-{n:D2}", 1)).Path)
            .First(path => path != oldest && path != newest);
        var copy = StoreFiles.CopyDirectory(original, _dir.Sub("copy"));
        File.Delete(Path.Combine(copy, Path.GetFileName(middle)));

        var strict = () => FileDeadLetterStore.Open(options.With(copy));
        strict.Should().Throw<DeadLetterStoreCorruptedException>("a segment in the middle of the log is missing");

        await AssertLenientThenStrictAgreeAsync(options.With(copy), acknowledged);
    }

    // Defect 7: a hole in the final, not-yet-durable batch (a power cut during fsync persists any subset of pages)
    // made strict mode refuse to open.
    [Fact]
    public async Task Open_ZeroedPageInsideTheFinalBatch_BatchDiscardedWholeReportedAndStrictOpens()
    {
        var original = _dir.Sub("original");
        var options = new FileDeadLetterStoreOptions { Directory = original, SegmentSize = 64 * 1024 };
        var earlier = Enumerable.Range(0, 4).Select(n => StoreFiles.Entry($"early-{n}", 1, 150)).ToList();
        var final = Enumerable.Range(0, 5).Select(n => StoreFiles.Entry($"final-{n}", 1, 3000)).ToList();
        await using (var store = FileDeadLetterStore.Open(options))
        {
            foreach (var entry in earlier)
            {
                await store.SaveAsync([entry]);
            }

            await store.SaveAsync(final);
        }

        var (segment, earlyEnd) = StoreFiles.FindSingle(original, StoreFiles.Marker("early-3", 1));
        earlyEnd += 150;
        var (_, holeAt) = StoreFiles.FindSingle(original, StoreFiles.Marker("final-1", 1));
        var (_, afterHole) = StoreFiles.FindSingle(original, StoreFiles.Marker("final-4", 1));
        // The first whole page well past the earlier batches (room for whatever closes a batch), inside the final one.
        var page = (earlyEnd + 1024 + 4095) / 4096 * 4096;
        page.Should().BeGreaterThan(holeAt - 4096, "(test setup) the zeroed page lies inside the final batch");
        afterHole.Should().BeGreaterThan(page + 4096, "(test setup) records of the final batch follow the hole");
        var copy = StoreFiles.CopyDirectory(original, _dir.Sub("copy"));
        StoreFiles.Overwrite(Path.Combine(copy, Path.GetFileName(segment)), page, new byte[4096]);

        await using (var strict = FileDeadLetterStore.Open(options.With(copy)))
        {
            strict.GetAll().Select(e => e.Id).Should().Equal(earlier.Select(e => e.Id), "the torn final batch is discarded as a whole");
            foreach (var entry in earlier)
            {
                strict.Find(entry.Id)!.ShouldMatch(entry);
            }

            strict.RecoveryNotes.Should().NotBeEmpty("discarding a torn batch is reported");
        }

        await using var again = FileDeadLetterStore.Open(options.With(copy));
        again.GetAll().Select(e => e.Id).Should().Equal(earlier.Select(e => e.Id));
    }

    // Defect 8: lenient mode quarantined everything after a bad record, including a valid delete (resurrection).
    [Fact]
    public async Task Open_DamagedEarlierBatchFollowedByADelete_StrictThrowsLenientNeverResurrects()
    {
        var (options, acknowledged) = await CreateDamagedBeforeADeleteAsync();

        var strict = () => FileDeadLetterStore.Open(options);
        strict.Should().Throw<DeadLetterStoreCorruptedException>("the damage is followed by intact batches");

        await using (var lenient = FileDeadLetterStore.Open(options.With(options.Directory, CorruptionHandling.Lenient)))
        {
            acknowledged.AssertOnlyAcknowledgedVersions(lenient);
            acknowledged.AssertNoDeletedEntry(lenient);
            lenient.Find("entry-b")!.ShouldMatch(acknowledged.Latest["entry-b"]!);
            lenient.Find("entry-d")!.ShouldMatch(acknowledged.Latest["entry-d"]!);
            lenient.Find("entry-e")!.ShouldMatch(acknowledged.Latest["entry-e"]!);
            lenient.RecoveryNotes.Should().NotBeEmpty("lenient mode reports the damaged record it dropped");
        }
    }

    // Defect 12: after a lenient open (and one more write) a strict open still refused.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Open_StrictAfterLenientRecovery_AcceptsWithTheSameContents(bool writeInBetween)
    {
        var (options, _) = await CreateDamagedBeforeADeleteAsync();
        List<DeadLetterEntry> recovered;
        var added = StoreFiles.Entry("entry-after", 1);
        await using (var lenient = FileDeadLetterStore.Open(options.With(options.Directory, CorruptionHandling.Lenient)))
        {
            if (writeInBetween)
            {
                await lenient.SaveAsync([added]);
            }

            recovered = lenient.GetAll().ToList();
        }

        await using var strict = FileDeadLetterStore.Open(options);
        strict.GetAll().Select(e => e.Id).Should().Equal(recovered.Select(e => e.Id), "a strict open accepts what lenient mode left, unchanged");
        foreach (var entry in recovered)
        {
            strict.Find(entry.Id)!.ShouldMatch(entry);
        }
    }

    /// <summary>Saves a, b, c (damaged afterwards), deletes a, saves d and e, in separate batches; flips a byte of c's payload.</summary>
    private async Task<(FileDeadLetterStoreOptions Options, Acknowledged Acknowledged)> CreateDamagedBeforeADeleteAsync()
    {
        var directory = _dir.Sub("damaged");
        var options = new FileDeadLetterStoreOptions { Directory = directory, SegmentSize = 64 * 1024 };
        var acknowledged = new Acknowledged();
        await using (var store = FileDeadLetterStore.Open(options))
        {
            foreach (var id in new[] { "entry-a", "entry-b", "entry-c" })
            {
                var entry = StoreFiles.Entry(id, 1, 400);
                await store.SaveAsync([entry]);
                acknowledged.Put(entry);
            }

            await store.DeleteAsync(["entry-a"]);
            acknowledged.Delete("entry-a");
            foreach (var id in new[] { "entry-d", "entry-e" })
            {
                var entry = StoreFiles.Entry(id, 1, 400);
                await store.SaveAsync([entry]);
                acknowledged.Put(entry);
            }
        }

        var (segment, offset) = StoreFiles.FindSingle(directory, StoreFiles.Marker("entry-c", 1));
        var position = offset + 200;
        StoreFiles.Overwrite(segment, position, [(byte)(StoreFiles.ReadByte(segment, position) ^ 0x5A)]);
        return (options, acknowledged);
    }

    /// <summary>Writes entries 0..count-1, changes the state of one, deletes another, and ends with a full save of a last entry.</summary>
    private static async Task<(Acknowledged Acknowledged, DeadLetterEntry Last)> WriteMixedHistoryAsync(FileDeadLetterStoreOptions options, int count, int payloadBytes = 120)
    {
        var acknowledged = new Acknowledged();
        var last = StoreFiles.Entry("entry-last", 1, payloadBytes);
        await using var store = FileDeadLetterStore.Open(options);
        for (var n = 0; n < count; n++)
        {
            var entry = StoreFiles.Entry($"entry-{n:D2}", 1, payloadBytes + (n * 24));
            await store.SaveAsync([entry]);
            acknowledged.Put(entry);
            if (n == count / 2)
            {
                await store.DeleteAsync(["entry-01"]);
                acknowledged.Delete("entry-01");
                var changed = store.Find("entry-02")! with { Status = DeadLetterStatus.Exhausted, AttemptCount = 9 };
                await store.SaveAsync([changed]);
                acknowledged.Put(changed);
            }
        }

        await store.SaveAsync([last]);
        acknowledged.Put(last);
        return (acknowledged, last);
    }

    private static async Task AssertLenientThenStrictAgreeAsync(FileDeadLetterStoreOptions options, Acknowledged acknowledged)
    {
        List<DeadLetterEntry> recovered;
        await using (var lenient = FileDeadLetterStore.Open(options.With(options.Directory, CorruptionHandling.Lenient)))
        {
            acknowledged.AssertOnlyAcknowledgedVersions(lenient);
            lenient.RecoveryNotes.Should().NotBeEmpty("lenient mode reports the missing segment");
            recovered = lenient.GetAll().ToList();
        }

        await using var strict = FileDeadLetterStore.Open(options);
        strict.GetAll().Select(e => e.Id).Should().Equal(recovered.Select(e => e.Id), "a strict open accepts what lenient mode left, unchanged");
    }

    private static bool IsExactly(FileDeadLetterStore store, Acknowledged acknowledged)
    {
        var latest = acknowledged.Latest;
        return store.Count == latest.Count(p => p.Value is not null)
            && latest.All(p => p.Value is null ? store.Find(p.Key) is null : store.Find(p.Key) is { } found && found.Payload.Span.SequenceEqual(p.Value.Payload.Span) && found.Status == p.Value.Status && found.AttemptCount == p.Value.AttemptCount);
    }
}

internal static class StoreOptionsExtensions
{
    /// <summary>The same options for another directory (and optionally another corruption handling).</summary>
    public static FileDeadLetterStoreOptions With(this FileDeadLetterStoreOptions options, string directory, CorruptionHandling handling = CorruptionHandling.Strict) => new()
    {
        Directory = directory,
        Durability = options.Durability,
        CorruptionHandling = handling,
        SegmentSize = options.SegmentSize,
        CompactionThreshold = options.CompactionThreshold,
        MaxPayloadBytes = options.MaxPayloadBytes,
        TimeProvider = options.TimeProvider,
    };
}
