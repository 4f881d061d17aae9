namespace Resilience.DeadLetter;

/// <summary>
/// Raised when the queue refuses an entry before writing anything (for example a payload over the size limit).
/// </summary>
public sealed class DeadLetterRejectedException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="DeadLetterRejectedException"/> class.</summary>
    public DeadLetterRejectedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterRejectedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DeadLetterRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterRejectedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DeadLetterRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterRejectedException"/> class with a reason.</summary>
    /// <param name="message">The message.</param>
    /// <param name="reason">Why the entry was refused.</param>
    public DeadLetterRejectedException(string message, DeadLetterFailureReason reason)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Gets why the entry was refused.</summary>
    public DeadLetterFailureReason Reason { get; }
}
