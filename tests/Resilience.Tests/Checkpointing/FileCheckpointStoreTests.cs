using Resilience.Checkpointing;
using Resilience.DeadLetter.Internal;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Checkpointing;

public sealed class FileCheckpointStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CheckpointSnapshot Snapshot(long generation, params (string Stream, int Partition, long Offset)[] offsets)
        => new("orders", generation, DateTimeOffset.UnixEpoch.AddDays(generation), offsets.ToDictionary(o => new CheckpointKey(o.Stream, o.Partition), o => o.Offset));

    private FileCheckpointStore Open(Action<CheckpointCorruptionArguments>? onCorruption = null, LogFileSystem? files = null)
        => FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = _dir.Path, OnCorruption = onCorruption }, files ?? LogFileSystem.Default);

    [Fact]
    public async Task SaveAsync_ThenReopen_LoadsTheSameOffsets()
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10), ("events", 1, 7), ("audit", 0, 3)));
            await store.SaveAsync(Snapshot(2, ("events", 0, 12), ("events", 1, 7), ("audit", 0, 3)));
        }

        using var reopened = Open();
        var loaded = await reopened.LoadAsync("orders");

        loaded!.Generation.Should().Be(2);
        loaded.CommittedAt.Should().Be(DateTimeOffset.UnixEpoch.AddDays(2));
        loaded.Offsets.Should().BeEquivalentTo(new Dictionary<CheckpointKey, long>
        {
            [new("events", 0)] = 12,
            [new("events", 1)] = 7,
            [new("audit", 0)] = 3,
        });
    }

    [Fact]
    public async Task LoadAsync_NothingSaved_ReturnsNull()
    {
        using var store = Open();

        (await store.LoadAsync("orders")).Should().BeNull();
    }

    [Fact]
    public async Task SaveAsync_CrashAfterTheTemporaryFileBeforeAnyRename_ReopenLoadsTheLastAcknowledgedSnapshot()
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10)));
        }

        var crashing = new CrashingFileSystem(crashOnMove: 1);
        using (var store = Open(files: crashing))
        {
            var act = () => store.SaveAsync(Snapshot(2, ("events", 0, 20))).AsTask();
            await act.Should().ThrowAsync<SimulatedCrashException>();
        }

        File.Exists(Path.Combine(_dir.Path, "orders.ckpt.tmp")).Should().BeTrue("the crash left the fsynced temporary file behind");
        var reported = new List<CheckpointCorruptionArguments>();
        using var reopened = Open(reported.Add);
        var loaded = await reopened.LoadAsync("orders");

        loaded!.Generation.Should().Be(1);
        loaded.Offsets[new("events", 0)].Should().Be(10);
        reported.Should().BeEmpty("an interrupted save is not corruption");

        await reopened.SaveAsync(Snapshot(2, ("events", 0, 30)));
        (await reopened.LoadAsync("orders"))!.Offsets[new("events", 0)].Should().Be(30, "the leftover temporary file is replaced, not trusted");
    }

    [Fact]
    public async Task SaveAsync_CrashBetweenTheTwoRenames_ReopenLoadsThePreviousGenerationWithoutReportingCorruption()
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10)));
        }

        using (var store = Open(files: new CrashingFileSystem(crashOnMove: 2)))
        {
            var act = () => store.SaveAsync(Snapshot(2, ("events", 0, 20))).AsTask();
            await act.Should().ThrowAsync<SimulatedCrashException>();
        }

        File.Exists(Path.Combine(_dir.Path, "orders.ckpt")).Should().BeFalse("the crash came after current became the previous generation");
        var reported = new List<CheckpointCorruptionArguments>();
        using var reopened = Open(reported.Add);

        (await reopened.LoadAsync("orders"))!.Generation.Should().Be(1);
        reported.Should().BeEmpty();
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public async Task LoadAsync_CurrentFileCorrupted_FallsBackToThePreviousGenerationAndReportsIt(string damage)
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10)));
            await store.SaveAsync(Snapshot(2, ("events", 0, 20)));
        }

        var current = Path.Combine(_dir.Path, "orders.ckpt");
        Damage(current, damage);
        var reported = new List<CheckpointCorruptionArguments>();
        using var reopened = Open(reported.Add);
        var loaded = await reopened.LoadAsync("orders");

        loaded!.Generation.Should().Be(1);
        loaded.Offsets[new("events", 0)].Should().Be(10);
        var report = reported.Should().ContainSingle().Subject;
        report.Path.Should().Be(current);
        report.ConsumerGroup.Should().Be("orders");
        report.FallbackGeneration.Should().Be(1);
        report.Error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task LoadAsync_BothCopiesCorrupted_ThrowsInsteadOfStartingFromZero()
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10)));
            await store.SaveAsync(Snapshot(2, ("events", 0, 20)));
        }

        Damage(Path.Combine(_dir.Path, "orders.ckpt"), "flip");
        Damage(Path.Combine(_dir.Path, "orders.ckpt.prev"), "truncate");
        using var reopened = Open();

        var act = () => reopened.LoadAsync("orders").AsTask();
        (await act.Should().ThrowAsync<CheckpointCorruptedException>()).Which.Message.Should().Contain("orders.ckpt").And.Contain("checksum");
    }

    [Fact]
    public async Task LoadAsync_OnlyCopyCorrupted_Throws()
    {
        using (var store = Open())
        {
            await store.SaveAsync(Snapshot(1, ("events", 0, 10)));
        }

        Damage(Path.Combine(_dir.Path, "orders.ckpt"), "flip");
        using var reopened = Open();

        var act = () => reopened.LoadAsync("orders").AsTask();
        await act.Should().ThrowAsync<CheckpointCorruptedException>();
    }

    [Fact]
    public async Task LoadAsync_FileOfAnotherGroupCopiedInPlace_IsNotTrusted()
    {
        using (var store = Open())
        {
            await store.SaveAsync(new CheckpointSnapshot("billing", 1, DateTimeOffset.UnixEpoch, new Dictionary<CheckpointKey, long> { [new("events", 0)] = 99 }));
        }

        File.Copy(Path.Combine(_dir.Path, "billing.ckpt"), Path.Combine(_dir.Path, "orders.ckpt"));
        using var reopened = Open();

        var act = () => reopened.LoadAsync("orders").AsTask();
        (await act.Should().ThrowAsync<CheckpointCorruptedException>()).Which.Message.Should().Contain("billing");
    }

    [Fact]
    public async Task SaveAsync_GroupNameWithPathCharacters_StaysInsideTheDirectory()
    {
        using var store = Open();
        var snapshot = new CheckpointSnapshot("../evil/group", 1, DateTimeOffset.UnixEpoch, new Dictionary<CheckpointKey, long> { [new("s", 0)] = 1 });

        await store.SaveAsync(snapshot);

        Directory.GetFiles(Path.GetDirectoryName(_dir.Path)!).Should().BeEmpty();
        (await store.LoadAsync("../evil/group"))!.Offsets[new("s", 0)].Should().Be(1);
    }

    [Fact]
    public void Open_DirectoryHeldByAnotherStore_Throws()
    {
        using var first = Open();

        var act = () => Open();
        act.Should().Throw<IOException>().WithMessage("*locked*");
    }

    private static void Damage(string path, string how)
    {
        var bytes = File.ReadAllBytes(path);
        switch (how)
        {
            case "flip":
                bytes[^6] ^= 0x40;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            default:
                File.WriteAllBytes(path, []);
                break;
        }
    }

    private sealed class SimulatedCrashException : Exception
    {
        public SimulatedCrashException()
            : base("simulated crash")
        {
        }
    }

    /// <summary>Stops the save at its n-th rename, as a crash there would: the files are left as they are.</summary>
    private sealed class CrashingFileSystem(int crashOnMove) : LogFileSystem
    {
        private int _moves;

        public override void Move(string source, string destination)
        {
            if (++_moves == crashOnMove)
            {
                throw new SimulatedCrashException();
            }

            base.Move(source, destination);
        }
    }
}
