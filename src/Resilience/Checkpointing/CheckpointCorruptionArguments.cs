namespace Resilience.Checkpointing;

/// <summary>
/// Describes a checkpoint file that could not be read intact and the copy the store fell back to.
/// </summary>
public readonly struct CheckpointCorruptionArguments
{
    /// <summary>Initializes a new instance of the <see cref="CheckpointCorruptionArguments"/> struct.</summary>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="path">The file that could not be read.</param>
    /// <param name="error">What was wrong with it.</param>
    /// <param name="fallbackGeneration">The generation of the copy loaded instead.</param>
    public CheckpointCorruptionArguments(string consumerGroup, string path, string error, long fallbackGeneration)
    {
        ConsumerGroup = consumerGroup;
        Path = path;
        Error = error;
        FallbackGeneration = fallbackGeneration;
    }

    /// <summary>Gets the consumer group.</summary>
    public string ConsumerGroup { get; }

    /// <summary>Gets the path of the file that could not be read.</summary>
    public string Path { get; }

    /// <summary>Gets what was wrong with it (bad checksum, truncated, unknown format).</summary>
    public string Error { get; }

    /// <summary>Gets the generation of the previous copy the store loaded instead (work after it is handled again).</summary>
    public long FallbackGeneration { get; }
}
