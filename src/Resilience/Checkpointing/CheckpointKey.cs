namespace Resilience.Checkpointing;

/// <summary>
/// A partition of a stream: what a consumer group keeps one offset for.
/// </summary>
/// <param name="Stream">The stream (a topic, a log, a file).</param>
/// <param name="Partition">The partition within the stream.</param>
public readonly record struct CheckpointKey(string Stream, int Partition);
