namespace Resilience.DeadLetter;

/// <summary>
/// The failure that sent an operation to the dead letter queue, as text (exceptions are not serialized).
/// </summary>
public sealed record DeadLetterError
{
    /// <summary>Gets the full name of the exception type, or a short code.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the error message.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the stack trace, if any.</summary>
    public string? StackTrace { get; init; }

    /// <summary>Gets why the operation was dead-lettered.</summary>
    public DeadLetterFailureReason Reason { get; init; }

    /// <summary>
    /// Creates an error from an exception.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <param name="reason">Why the operation was dead-lettered.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static DeadLetterError FromException(Exception exception, DeadLetterFailureReason reason = DeadLetterFailureReason.MaxRetriesExceeded)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new DeadLetterError
        {
            Type = exception.GetType().FullName ?? exception.GetType().Name,
            Message = exception.Message,
            StackTrace = exception.StackTrace,
            Reason = reason,
        };
    }
}
