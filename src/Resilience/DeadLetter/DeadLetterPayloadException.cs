namespace Resilience.DeadLetter;

/// <summary>
/// Raised when an entry's payload cannot be read; the processor exhausts such an entry at once with
/// <see cref="DeadLetterFailureReason.CorruptedData"/>, since retrying cannot fix it.
/// </summary>
public sealed class DeadLetterPayloadException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="DeadLetterPayloadException"/> class.</summary>
    public DeadLetterPayloadException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterPayloadException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DeadLetterPayloadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterPayloadException"/> class with a message and the cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DeadLetterPayloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
