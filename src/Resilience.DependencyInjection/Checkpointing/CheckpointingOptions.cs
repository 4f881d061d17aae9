using Resilience.Checkpointing;

namespace Resilience.DependencyInjection;

/// <summary>
/// Options of <c>AddCheckpointing</c>: the consumer group, where its offsets are kept and how often they are committed.
/// </summary>
public sealed class CheckpointingOptions
{
    /// <summary>Gets or sets the consumer group whose offsets the manager keeps.</summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    public string? ConsumerGroup { get; set; }

    /// <summary>
    /// Gets or sets the directory of a <see cref="FileCheckpointStore"/>; <see langword="null"/> keeps offsets in memory
    /// (or in the <see cref="ICheckpointStore"/> registered before <c>AddCheckpointing</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Directory { get; set; }

    /// <summary>Gets or sets how often the manager commits on its own; <see langword="null"/> commits only when asked and at shutdown.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan? AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets what is told when the file store falls back to the previous generation of a corrupted checkpoint.</summary>
    /// <value>The default value is <see langword="null"/> (the fallback is logged).</value>
    public Action<CheckpointCorruptionArguments>? OnCorruption { get; set; }
}
