using System.Globalization;

namespace Resilience.Timeout;

/// <summary>
/// Raised when the work wrapped by a timeout strategy did not complete within its timeout.
/// </summary>
public sealed class TimeoutRejectedException : ExecutionRejectedException
{
    /// <summary>
    /// Initializes a new instance of the <see cref="TimeoutRejectedException"/> class.
    /// </summary>
    public TimeoutRejectedException()
        : base("The operation did not complete within the allowed timeout.")
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="TimeoutRejectedException"/> class with a message.
    /// </summary>
    /// <param name="message">The message.</param>
    public TimeoutRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="TimeoutRejectedException"/> class with a message and an inner exception.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TimeoutRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="TimeoutRejectedException"/> class for a timeout that elapsed.
    /// </summary>
    /// <param name="timeout">The timeout that elapsed.</param>
    /// <param name="pipelineName">The name of the pipeline, if any.</param>
    /// <param name="innerException">The cancellation the work stopped with.</param>
    public TimeoutRejectedException(TimeSpan timeout, string? pipelineName, Exception? innerException)
        : base(CreateMessage(timeout, pipelineName), innerException)
    {
        Timeout = timeout;
        PipelineName = pipelineName;
    }

    /// <summary>
    /// Gets the timeout that elapsed, or <see cref="TimeSpan.Zero"/> when unknown.
    /// </summary>
    public TimeSpan Timeout { get; }

    private static string CreateMessage(TimeSpan timeout, string? pipelineName)
    {
        var span = timeout.ToString("c", CultureInfo.InvariantCulture);
        return pipelineName is null
            ? $"The operation did not complete within the allowed timeout of '{span}'."
            : $"The operation did not complete within the allowed timeout of '{span}' in pipeline '{pipelineName}'.";
    }

    /// <summary>Gets a value indicating whether trying again may succeed: a timed-out attempt may.</summary>
    /// <value>Always <see langword="true"/>.</value>
    public override bool IsTransient => true;
}
