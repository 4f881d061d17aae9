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

    /// <summary>
    /// Gets a value indicating whether trying again may succeed: a timed-out attempt may, a refusal to even try (an open
    /// circuit, a full bulkhead, a rate limit) is not retried by the built-in rule. Each strategy's exception says so
    /// itself, so the built-in transient rule (<c>TransientErrorClassifier</c>) needs to know no strategy.
    /// </summary>
    /// <value>The default value is <see langword="false"/>; a timeout's rejection returns <see langword="true"/>.</value>
    public virtual bool IsTransient => false;
}
