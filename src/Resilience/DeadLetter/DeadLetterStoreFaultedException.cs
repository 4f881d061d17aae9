namespace Resilience.DeadLetter;

/// <summary>
/// Raised by every call to a store after a write or flush failed: nothing more is acknowledged until the store is
/// reopened, because the state of the unflushed data on disk is unknown.
/// </summary>
public sealed class DeadLetterStoreFaultedException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreFaultedException"/> class.</summary>
    public DeadLetterStoreFaultedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreFaultedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public DeadLetterStoreFaultedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeadLetterStoreFaultedException"/> class with a message and the failure.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The write or flush failure.</param>
    public DeadLetterStoreFaultedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
