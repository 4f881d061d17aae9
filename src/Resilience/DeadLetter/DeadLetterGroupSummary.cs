namespace Resilience.DeadLetter;

/// <summary>
/// One group of a <see cref="DeadLetterQueue.SummarizeAsync"/> result.
/// </summary>
public sealed record DeadLetterGroupSummary
{
    /// <summary>Gets the group's key: the failure group, operation type or reason.</summary>
    public required string Key { get; init; }

    /// <summary>Gets how many entries are in the group.</summary>
    public int Count { get; init; }

    /// <summary>Gets when the earliest failure of the group's entries happened.</summary>
    public DateTimeOffset FirstFailedAt { get; init; }

    /// <summary>Gets when the latest failure of the group's entries happened.</summary>
    public DateTimeOffset LastFailedAt { get; init; }

    /// <summary>Gets the error type of the group's latest failure.</summary>
    public required string ErrorType { get; init; }

    /// <summary>Gets the error message of the group's latest failure.</summary>
    public required string LatestMessage { get; init; }

    /// <summary>Gets the operation type of the group's latest failure.</summary>
    public required string OperationType { get; init; }
}
