namespace Resilience.CircuitBreaker;

/// <summary>
/// Raised when a call is rejected because its circuit breaker is open (or half-open with every probe slot taken).
/// </summary>
public class BrokenCircuitException : ExecutionRejectedException
{
    /// <summary>Initializes a new instance of the <see cref="BrokenCircuitException"/> class.</summary>
    public BrokenCircuitException()
        : base("The circuit is open; the call was not attempted.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenCircuitException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public BrokenCircuitException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenCircuitException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BrokenCircuitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenCircuitException"/> class for an open breaker.</summary>
    /// <param name="message">The message.</param>
    /// <param name="retryAfter">How long until the breaker lets a probe through, when known.</param>
    /// <param name="innerException">The failure that opened the breaker, if known.</param>
    public BrokenCircuitException(string message, TimeSpan? retryAfter, Exception? innerException)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>
    /// Gets how long until the breaker lets a probe through, when known. While half-open with every probe in flight it
    /// is the last break duration counted from the moment the breaker half-opened (Polly's value), zero once a probe
    /// has outlasted it.
    /// </summary>
    public TimeSpan? RetryAfter { get; }
}
