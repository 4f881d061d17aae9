using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Damages a closed store's files and checks that opening either recovers (an uncommitted final batch is discarded)
/// or refuses with <see cref="DeadLetterStoreCorruptedException"/> in strict mode — and never returns a wrong entry.
/// Each save below is its own batch (one record and its commit record), ending at a known offset.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    private const int EntryCount = 12;
    private const long SegmentSize = 64 * 1024;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_CutAtEveryByteOfLastTwoBatches_StrictRefusesLenientKeepsThePrefix()
    {
        var (original, ends) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);

        for (var cut = ends[EntryCount - 3]; cut < ends[^1] + 8; cut += 3)
        {
            var copy = CopyWith(original, segment, bytes.AsSpan(0, (int)cut).ToArray());
            var strict = () => FileDeadLetterStore.Open(Options(copy));
            strict.Should().Throw<DeadLetterStoreCorruptedException>($"a crash never shortens a preallocated segment, so a cut at {cut} is damage");

            await using (var lenient = FileDeadLetterStore.Open(Options(copy, CorruptionHandling.Lenient)))
            {
                // A batch ends with its commit record, whose last 4 bytes are padding that carries no data.
                lenient.Count.Should().Be(ends.Count(end => end - 4 <= cut), $"cutting at byte {cut} keeps exactly the batches whose data ends before it");
                AssertOnlyOriginalEntries(lenient);
            }

            await using (var after = FileDeadLetterStore.Open(Options(copy)))
            {
                after.Count.Should().Be(ends.Count(end => end - 4 <= cut), "a lenient open leaves a store a strict open accepts");
            }

            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Open_LastBatchTorn_DiscardedWholeAndStoreAcceptsNewWritesAfterIt()
    {
        var (original, ends) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);

        // The commit record of the last batch never reached the disk; its data record did.
        Array.Clear(bytes, (int)ends[^1] - 48, 48);
        await File.WriteAllBytesAsync(segment, bytes);

        await using (var store = FileDeadLetterStore.Open(Options(original)))
        {
            store.Count.Should().Be(EntryCount - 1);
            store.Find(TestEntries.Create(EntryCount - 1).Id).Should().BeNull("a batch is applied whole or not at all");
            store.RecoveryNotes.Should().Contain(note => note.Contains("uncommitted tail", StringComparison.Ordinal));
            await store.SaveAsync([TestEntries.Create(100)]);
        }

        await using var reopened = FileDeadLetterStore.Open(Options(original));
        reopened.Count.Should().Be(EntryCount);
        reopened.Find("entry-000100").Should().NotBeNull();
        reopened.RecoveryNotes.Should().BeEmpty("the discarded tail was zeroed once; the next open finds a clean log");
    }

    [Fact]
    public async Task Open_ZeroedBlocks_RecoverOrRefuseButNeverReturnWrongEntries()
    {
        var (original, ends) = await CreateStoreAsync(payloadBytes: 900);
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);

        for (var block = 0; block * 512 < ends[^1]; block++)
        {
            var damaged = bytes.ToArray();
            Array.Clear(damaged, block * 512, 512);
            await AssertRecoversOrRefusesAsync(original, segment, damaged);
        }
    }

    [Fact]
    public async Task Open_RandomBitFlips_RecoverOrRefuseButNeverReturnWrongEntries()
    {
        var (original, ends) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        var random = new Random(20261124);

        for (var i = 0; i < 200; i++)
        {
            var damaged = bytes.ToArray();
            var position = random.Next((int)ends[^1]);
            damaged[position] ^= (byte)(1 << random.Next(8));
            await AssertRecoversOrRefusesAsync(original, segment, damaged);
        }
    }

    [Fact]
    public async Task Open_CorruptRecordFollowedByValidOnes_StrictRefusesNamingFileAndOffset()
    {
        var (original, ends) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        var offset = (int)ends[3];
        bytes[offset + 20] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        var act = () => FileDeadLetterStore.Open(Options(original));

        var thrown = act.Should().Throw<DeadLetterStoreCorruptedException>().Which;
        thrown.FilePath.Should().Be(segment);
        thrown.Offset.Should().Be(offset);
        File.ReadAllBytes(segment).Should().Equal(bytes, "a refused open must not change the files");
    }

    [Fact]
    public async Task Open_CorruptRecordInLenientMode_KeepsEverythingThatVerifiesAndSetsTheFileAside()
    {
        var (original, ends) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[(int)ends[3] + 20] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        await using (var store = FileDeadLetterStore.Open(Options(original, CorruptionHandling.Lenient)))
        {
            store.Count.Should().Be(EntryCount - 1, "only the damaged record is lost; later records still verify");
            store.Find(TestEntries.Create(4).Id).Should().BeNull();
            store.RecoveryNotes.Should().NotBeEmpty();
            Directory.GetFiles(original, "*.corrupt-*").Should().ContainSingle();
            AssertOnlyOriginalEntries(store);
        }

        await using var strict = FileDeadLetterStore.Open(Options(original));
        strict.Count.Should().Be(EntryCount - 1, "a lenient open leaves a store a strict open accepts with the same content");
    }

    private static FileDeadLetterStoreOptions Options(string directory, CorruptionHandling handling = CorruptionHandling.Strict)
        => new() { Directory = directory, SegmentSize = SegmentSize, CorruptionHandling = handling };

    private async Task AssertRecoversOrRefusesAsync(string original, string segment, byte[] damaged)
    {
        var copy = CopyWith(original, segment, damaged);
        try
        {
            await using var store = FileDeadLetterStore.Open(Options(copy));
            AssertOnlyOriginalEntries(store);
        }
        catch (DeadLetterStoreCorruptedException)
        {
            // Refusing to open is an allowed answer in strict mode; the lenient open below must then succeed.
        }

        await using (var lenient = FileDeadLetterStore.Open(Options(copy, CorruptionHandling.Lenient)))
        {
            AssertOnlyOriginalEntries(lenient);
        }

        Directory.Delete(copy, recursive: true);
    }

    private static void AssertOnlyOriginalEntries(FileDeadLetterStore store)
    {
        foreach (var entry in store.GetAll())
        {
            var n = int.Parse(entry.Id["entry-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            entry.ShouldMatch(TestEntries.Create(n, entry.Payload.Length));
        }
    }

    private async Task<(string Directory, long[] Ends)> CreateStoreAsync(int payloadBytes = 100)
    {
        var directory = _dir.Sub("original");
        var ends = new long[EntryCount];
        await using var store = FileDeadLetterStore.Open(Options(directory));
        for (var n = 0; n < EntryCount; n++)
        {
            await store.SaveAsync([TestEntries.Create(n, payloadBytes)]);
            ends[n] = store.ActiveSegmentUsedBytes;
        }

        return (directory, ends);
    }

    private string CopyWith(string original, string segment, byte[] segmentBytes)
    {
        var copy = _dir.Sub(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        File.WriteAllBytes(Path.Combine(copy, Path.GetFileName(segment)), segmentBytes);
        return copy;
    }

    private static string SingleSegment(string directory) => Directory.GetFiles(directory, "seg-*.log").Single();
}
