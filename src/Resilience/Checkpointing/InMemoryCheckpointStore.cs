namespace Resilience.Checkpointing;

/// <summary>
/// Keeps snapshots in memory (tests, or consumers whose offsets live elsewhere). Thread-safe.
/// </summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CheckpointSnapshot> _snapshots = new(StringComparer.Ordinal);

    /// <summary>Gets how many snapshots were saved, all groups together.</summary>
    public int SaveCount { get; private set; }

    /// <inheritdoc/>
    public ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return new(_snapshots.GetValueOrDefault(consumerGroup));
        }
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _snapshots[snapshot.ConsumerGroup] = snapshot;
            SaveCount++;
        }

        return default;
    }
}
