using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// Selects entries by status, operation type and creation time, with paging. Unset criteria match everything.
/// </summary>
public sealed record DeadLetterQuery
{
    /// <summary>Gets the status to match, if any.</summary>
    public DeadLetterStatus? Status { get; init; }

    /// <summary>Gets the operation type to match, if any.</summary>
    public string? OperationType { get; init; }

    /// <summary>Gets the earliest creation time to match (inclusive), if any.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Gets the latest creation time to match (exclusive), if any.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Gets how many matching entries to skip (oldest first).</summary>
    public int Skip { get; init; }

    /// <summary>Gets the most entries to return.</summary>
    /// <value>The default value is 100.</value>
    public int Take { get; init; } = 100;

    /// <summary>Gets a value indicating whether only status and operation type are set (the store's running counts give the total).</summary>
    internal bool CountedByStore => CreatedFrom is null && CreatedTo is null && (Status is null || OperationType is null);

    internal bool Matches(DeadLetterSummary entry)
        => (Status is null || entry.Status == Status)
        && (OperationType is null || string.Equals(entry.OperationType, OperationType, StringComparison.Ordinal))
        && (CreatedFrom is null || entry.CreatedAt >= CreatedFrom)
        && (CreatedTo is null || entry.CreatedAt < CreatedTo);

    internal bool Matches(DeadLetterEntry entry)
        => (Status is null || entry.Status == Status)
        && (OperationType is null || string.Equals(entry.OperationType, OperationType, StringComparison.Ordinal))
        && (CreatedFrom is null || entry.CreatedAt >= CreatedFrom)
        && (CreatedTo is null || entry.CreatedAt < CreatedTo);
}
