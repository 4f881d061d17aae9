namespace Resilience.Compensation;

/// <summary>
/// Raised by <see cref="CompensationResult.ThrowIfFailed"/>: the rollback of an operation had failing steps.
/// </summary>
public sealed class CompensationFailedException : AggregateException
{
    /// <summary>Initializes a new instance of the <see cref="CompensationFailedException"/> class.</summary>
    public CompensationFailedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CompensationFailedException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public CompensationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CompensationFailedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CompensationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal CompensationFailedException(CompensationResult result, IReadOnlyList<Exception> failures)
        : base($"The rollback of operation '{result.OperationId}' had {failures.Count} failing step(s){(result.LostSteps.Count == 0 ? string.Empty : $", stopped at lost step(s) {string.Join(", ", result.LostSteps)} (delegate compensations lost in a restart)")}{(result.ParkedEntryId is null ? string.Empty : $" and was parked as dead letter entry '{result.ParkedEntryId}'")}.", failures)
    {
        Result = result;
    }

    /// <summary>Gets the result of the rollback.</summary>
    public CompensationResult? Result { get; }
}
