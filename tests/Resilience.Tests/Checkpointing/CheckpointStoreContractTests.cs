using Resilience.Checkpointing;
using Resilience.Tests.DeadLetter;

namespace Resilience.Tests.Checkpointing;

/// <summary>What every <see cref="ICheckpointStore"/> must do, run against each store.</summary>
public abstract class CheckpointStoreContractTests : IDisposable
{
    protected abstract ICheckpointStore Store { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private static CheckpointSnapshot Snapshot(string group, long generation, long offset)
        => new(group, generation, DateTimeOffset.UnixEpoch, new Dictionary<CheckpointKey, long> { [new("s", 0)] = offset, [new("s", 1)] = offset + 1 });

    [Fact]
    public async Task LoadAsync_NeverSaved_ReturnsNull() => (await Store.LoadAsync("g")).Should().BeNull();

    [Fact]
    public async Task SaveAsync_ReplacesThePreviousSnapshot()
    {
        await Store.SaveAsync(Snapshot("g", 1, 10));
        await Store.SaveAsync(Snapshot("g", 2, 20));

        var loaded = await Store.LoadAsync("g");
        loaded!.Generation.Should().Be(2);
        loaded.Offsets.Should().Equal(new Dictionary<CheckpointKey, long> { [new("s", 0)] = 20, [new("s", 1)] = 21 });
    }

    [Fact]
    public async Task SaveAsync_GroupsAreKeptApart()
    {
        await Store.SaveAsync(Snapshot("a", 1, 10));
        await Store.SaveAsync(Snapshot("b", 1, 99));

        (await Store.LoadAsync("a"))!.Offsets[new("s", 0)].Should().Be(10);
        (await Store.LoadAsync("b"))!.Offsets[new("s", 0)].Should().Be(99);
    }

    [Fact]
    public async Task Calls_CancelledToken_Throw()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => Store.SaveAsync(Snapshot("g", 1, 1), cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => Store.LoadAsync("g", cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        (await Store.LoadAsync("g")).Should().BeNull();
    }
}

public sealed class InMemoryCheckpointStoreContractTests : CheckpointStoreContractTests
{
    protected override ICheckpointStore Store { get; } = new InMemoryCheckpointStore();
}

public sealed class FileCheckpointStoreContractTests : CheckpointStoreContractTests
{
    private readonly TempDirectory _dir = new();
    private readonly FileCheckpointStore _store;

    public FileCheckpointStoreContractTests() => _store = FileCheckpointStore.Open(new FileCheckpointStoreOptions { Directory = _dir.Path });

    protected override ICheckpointStore Store => _store;

    public override void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
        base.Dispose();
    }
}
