using Resilience.Checkpointing;

namespace Resilience.Samples.StreamConsumer;

/// <summary>Puts crash points just before and just after each durable commit.</summary>
internal sealed class CrashPointStore(ICheckpointStore inner) : ICheckpointStore
{
    public ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default) => inner.LoadAsync(consumerGroup, cancellationToken);

    public async ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        CrashPoints.Reach($"before commit {snapshot.Generation}");
        await inner.SaveAsync(snapshot, cancellationToken);
        CrashPoints.Reach($"after commit {snapshot.Generation}");
    }
}
