namespace Resilience.Checkpointing;

/// <summary>
/// Where a <see cref="CheckpointManager"/> keeps committed offsets. <see cref="SaveAsync"/> completes only once the
/// snapshot is durable (as durable as the store can make it), and replaces the previous one atomically: a crash
/// leaves either the old snapshot or the new one, never a mix.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Loads the latest snapshot of a consumer group.</summary>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The snapshot, or <see langword="null"/> when the group never committed.</returns>
    /// <exception cref="CheckpointCorruptedException">Something was committed but no intact snapshot can be read (never reported as "nothing committed").</exception>
    ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default);

    /// <summary>Saves a snapshot, replacing the group's previous one atomically; completes once it is durable.</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="cancellationToken">Cancels the save; a cancelled save may or may not have landed.</param>
    /// <returns>A task that completes once the snapshot is durable.</returns>
    ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default);
}
