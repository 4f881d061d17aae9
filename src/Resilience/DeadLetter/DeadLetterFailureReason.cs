namespace Resilience.DeadLetter;

/// <summary>
/// Why an operation was dead-lettered.
/// </summary>
public enum DeadLetterFailureReason
{
    /// <summary>The operation failed after every retry it was allowed.</summary>
    MaxRetriesExceeded = 0,

    /// <summary>The operation failed with an error that retrying cannot fix.</summary>
    NonRetryable = 1,

    /// <summary>The operation's data could not be read or deserialized.</summary>
    CorruptedData = 2,

    /// <summary>The payload was larger than the store accepts.</summary>
    Oversized = 3,

    /// <summary>A strategy rejected the operation (open circuit, full bulkhead, rate limit).</summary>
    Rejected = 4,

    /// <summary>Dead-lettered by application code or an operator.</summary>
    Manual = 5,

    /// <summary>
    /// The operation's data was read but does not match the expected schema (a required field missing, a field of the
    /// wrong type), as opposed to <see cref="CorruptedData"/>, which could not be read at all.
    /// </summary>
    InvalidSchema = 6,
}
