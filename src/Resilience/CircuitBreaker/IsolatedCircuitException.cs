namespace Resilience.CircuitBreaker;

/// <summary>
/// Raised when a call is rejected because its circuit breaker was isolated by hand.
/// </summary>
public sealed class IsolatedCircuitException : BrokenCircuitException
{
    /// <summary>Initializes a new instance of the <see cref="IsolatedCircuitException"/> class.</summary>
    public IsolatedCircuitException()
        : base("The circuit is isolated by hand; the call was not attempted.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="IsolatedCircuitException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public IsolatedCircuitException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="IsolatedCircuitException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public IsolatedCircuitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
