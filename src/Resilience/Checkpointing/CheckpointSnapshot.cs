namespace Resilience.Checkpointing;

/// <summary>
/// What a store keeps for a consumer group: one offset per partition and the generation of the commit that wrote them.
/// An offset is the position of the next item to handle: every item before it is done (processed or dead-lettered).
/// </summary>
public sealed class CheckpointSnapshot
{
    /// <summary>Initializes a new instance of the <see cref="CheckpointSnapshot"/> class.</summary>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="generation">The commit's number: 1 for the first, one more for each commit after it.</param>
    /// <param name="committedAt">When the commit was made.</param>
    /// <param name="offsets">The offsets; the snapshot keeps its own copy.</param>
    /// <exception cref="ArgumentException"><paramref name="consumerGroup"/> is null or empty.</exception>
    public CheckpointSnapshot(string consumerGroup, long generation, DateTimeOffset committedAt, IReadOnlyDictionary<CheckpointKey, long> offsets)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        ArgumentNullException.ThrowIfNull(offsets);
        ConsumerGroup = consumerGroup;
        Generation = generation;
        CommittedAt = committedAt;
        Offsets = new Dictionary<CheckpointKey, long>(offsets);
    }

    /// <summary>Gets the consumer group.</summary>
    public string ConsumerGroup { get; }

    /// <summary>Gets the commit's number: 1 for the first commit, one more for each commit after it.</summary>
    public long Generation { get; }

    /// <summary>Gets when the commit was made (from the manager's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset CommittedAt { get; }

    /// <summary>Gets the committed offset of each partition: the position of the next item to handle.</summary>
    public IReadOnlyDictionary<CheckpointKey, long> Offsets { get; }
}
