namespace Resilience;

/// <summary>
/// The base of the exceptions a strategy raises when it refuses or stops an execution (timeout, open circuit,
/// full bulkhead, rate limit).
/// </summary>
public abstract class ExecutionRejectedException : Exception
{
    /// <summary>
    /// Initializes a new instance of the <see cref="ExecutionRejectedException"/> class.
    /// </summary>
    protected ExecutionRejectedException()
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="ExecutionRejectedException"/> class with a message.
    /// </summary>
    /// <param name="message">The message.</param>
    protected ExecutionRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="ExecutionRejectedException"/> class with a message and an inner exception.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    protected ExecutionRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets the name of the pipeline that rejected the execution, if it has one.
    /// </summary>
    public string? PipelineName { get; init; }
}
