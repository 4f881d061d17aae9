namespace Resilience.Bulkhead;

/// <summary>
/// Raised when a bulkhead refuses a call: no slot and no room in the queue, or no slot within the queue timeout.
/// </summary>
public sealed class BulkheadRejectedException : ExecutionRejectedException
{
    /// <summary>Initializes a new instance of the <see cref="BulkheadRejectedException"/> class.</summary>
    public BulkheadRejectedException()
        : base("The bulkhead is full; the call was not attempted.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BulkheadRejectedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public BulkheadRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BulkheadRejectedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BulkheadRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BulkheadRejectedException"/> class with a reason.</summary>
    /// <param name="message">The message.</param>
    /// <param name="reason">Why the call was refused.</param>
    public BulkheadRejectedException(string message, BulkheadRejectionReason reason)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Gets why the call was refused.</summary>
    public BulkheadRejectionReason Reason { get; }
}
