namespace Resilience.Checkpointing;

/// <summary>
/// Thrown when a store holds committed offsets but none of its copies can be read intact. Starting from zero instead
/// would reprocess (or, with a later offset lost, skip) a whole stream, so the store refuses and says which files it tried.
/// </summary>
public sealed class CheckpointCorruptedException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="CheckpointCorruptedException"/> class.</summary>
    public CheckpointCorruptedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CheckpointCorruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public CheckpointCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CheckpointCorruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure reading the last copy tried.</param>
    public CheckpointCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
