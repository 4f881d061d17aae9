namespace Resilience.DeadLetter;

/// <summary>
/// Raised when the store is at its entry or byte limit and the overflow policy cannot make room.
/// </summary>
public sealed class DeadLetterQueueFullException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="DeadLetterQueueFullException"/> class.</summary>
    public DeadLetterQueueFullException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterQueueFullException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DeadLetterQueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterQueueFullException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DeadLetterQueueFullException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
