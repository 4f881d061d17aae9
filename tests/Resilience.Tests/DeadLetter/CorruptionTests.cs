using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Damages a closed store's files and checks that opening either recovers (a torn tail is cut off) or refuses
/// with <see cref="DeadLetterStoreCorruptedException"/> in strict mode — and never returns a wrong entry.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    private const int EntryCount = 12;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_TruncatedAtEveryByteOfLastTwoRecords_RecoversThePrefix()
    {
        var (original, lengths) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        var start = lengths[EntryCount - 3];

        // A record ends after its length field's count of bytes; the zero padding after it carries no data.
        var dataEnds = lengths.Select((end, i) =>
        {
            var recordStart = i == 0 ? 32 : (int)lengths[i - 1];
            return recordStart + 8 + BitConverter.ToUInt32(bytes, recordStart);
        }).ToArray();

        for (var cut = start; cut < bytes.Length; cut++)
        {
            var copy = CopyWith(original, segment, bytes.AsSpan(0, (int)cut).ToArray());
            await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = copy });

            var survivors = dataEnds.Count(end => end <= cut);
            store.Count.Should().Be(survivors, $"cutting at byte {cut} keeps exactly the records whose data ends before it");
            AssertOnlyOriginalEntries(store);
            store.RecoveredTruncatedBytes.Should().Be(Math.Max(0, cut - lengths[survivors - 1]));
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Open_TornTailTruncated_StoreAcceptsNewWritesAfterIt()
    {
        var (original, lengths) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        await File.WriteAllBytesAsync(segment, bytes.AsSpan(0, (int)lengths[^2] + 20).ToArray());

        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = original }))
        {
            store.Count.Should().Be(EntryCount - 1);
            await store.SaveAsync([TestEntries.Create(100)]);
        }

        await using var reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = original });
        reopened.Count.Should().Be(EntryCount);
        reopened.Find("entry-000100").Should().NotBeNull();
    }

    [Fact]
    public async Task Open_ZeroedBlocks_RecoverOrRefuseButNeverReturnWrongEntries()
    {
        var (original, _) = await CreateStoreAsync(payloadBytes: 900);
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);

        for (var block = 0; block * 4096 < bytes.Length; block++)
        {
            var damaged = bytes.ToArray();
            Array.Clear(damaged, block * 4096, Math.Min(4096, damaged.Length - (block * 4096)));
            await AssertRecoversOrRefusesAsync(original, segment, damaged);
        }
    }

    [Fact]
    public async Task Open_RandomBitFlips_RecoverOrRefuseButNeverReturnWrongEntries()
    {
        var (original, _) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        var random = new Random(20261124);

        for (var i = 0; i < 200; i++)
        {
            var damaged = bytes.ToArray();
            var position = random.Next(damaged.Length);
            damaged[position] ^= (byte)(1 << random.Next(8));
            await AssertRecoversOrRefusesAsync(original, segment, damaged);
        }
    }

    [Fact]
    public async Task Open_CorruptRecordFollowedByValidOnes_StrictRefusesNamingFileAndOffset()
    {
        var (original, lengths) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        var offset = (int)lengths[3];
        bytes[offset + 20] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = original });

        var thrown = act.Should().Throw<DeadLetterStoreCorruptedException>().Which;
        thrown.FilePath.Should().Be(segment);
        thrown.Offset.Should().Be(offset);
        File.ReadAllBytes(segment).Should().Equal(bytes, "a refused open must not change the files");
    }

    [Fact]
    public async Task Open_CorruptRecordInLenientMode_QuarantinesTheRestAndOpens()
    {
        var (original, lengths) = await CreateStoreAsync();
        var segment = SingleSegment(original);
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[(int)lengths[3] + 20] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = original, CorruptionHandling = CorruptionHandling.Lenient });

        store.Count.Should().Be(4);
        store.RecoveredQuarantinedBytes.Should().Be(bytes.Length - lengths[3]);
        Directory.GetFiles(original, "*.corrupt-*").Should().ContainSingle();
        AssertOnlyOriginalEntries(store);
    }

    private async Task AssertRecoversOrRefusesAsync(string original, string segment, byte[] damaged)
    {
        var copy = CopyWith(original, segment, damaged);
        try
        {
            await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = copy });
            AssertOnlyOriginalEntries(store);
        }
        catch (DeadLetterStoreCorruptedException)
        {
            // Refusing to open is an allowed answer in strict mode; the lenient open below must then succeed.
        }

        await using (var lenient = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = copy, CorruptionHandling = CorruptionHandling.Lenient }))
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

    private async Task<(string Directory, long[] Lengths)> CreateStoreAsync(int payloadBytes = 100)
    {
        var directory = _dir.Sub("original");
        var lengths = new long[EntryCount];
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory });
        for (var n = 0; n < EntryCount; n++)
        {
            await store.SaveAsync([TestEntries.Create(n, payloadBytes)]);
            lengths[n] = new FileInfo(SingleSegment(directory)).Length;
        }

        return (directory, lengths);
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
