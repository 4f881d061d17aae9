namespace Resilience.DeadLetter;

/// <summary>
/// Raised when a store's files hold a corrupt record that is not a torn tail, in <see cref="CorruptionHandling.Strict"/> mode.
/// </summary>
public sealed class DeadLetterStoreCorruptedException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreCorruptedException"/> class.</summary>
    public DeadLetterStoreCorruptedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreCorruptedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DeadLetterStoreCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreCorruptedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DeadLetterStoreCorruptedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreCorruptedException"/> class for a bad record.</summary>
    /// <param name="filePath">The damaged file.</param>
    /// <param name="offset">The byte offset of the damaged record.</param>
    /// <param name="detail">What is wrong with it.</param>
    public DeadLetterStoreCorruptedException(string filePath, long offset, string detail)
        : base($"The dead letter store file '{filePath}' is corrupt at offset {offset}: {detail}. Open it with CorruptionHandling.Lenient to quarantine the damaged part.")
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>Gets the damaged file.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the byte offset of the damaged record.</summary>
    public long Offset { get; }
}
