namespace Resilience.DeadLetter;

/// <summary>
/// Selects entries by status, operation type, failure group, error and creation time, with paging. Unset criteria
/// match everything, except that <see cref="DeadLetterStatus.Archived"/> entries match only when
/// <see cref="IncludeArchived"/> is set or <see cref="Status"/> names them.
/// </summary>
public sealed record DeadLetterQuery
{
    /// <summary>Gets the status to match, if any.</summary>
    public DeadLetterStatus? Status { get; init; }

    /// <summary>Gets the operation type to match, if any.</summary>
    public string? OperationType { get; init; }

    /// <summary>Gets the failure group (<see cref="DeadLetterEntry.FailureGroup"/>) to match, if any.</summary>
    public string? FailureGroup { get; init; }

    /// <summary>Gets the error type (<see cref="DeadLetterError.Type"/>) to match exactly, if any.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the error message to match exactly (ordinal), if any.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Gets text the error message must contain (ordinal, case-insensitive), if any.</summary>
    public string? ErrorMessageContains { get; init; }

    /// <summary>Gets the earliest creation time to match (inclusive), if any.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Gets the latest creation time to match (exclusive), if any.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Gets a value indicating whether archived entries match too (they do anyway when <see cref="Status"/> is <see cref="DeadLetterStatus.Archived"/>).</summary>
    public bool IncludeArchived { get; init; }

    /// <summary>Gets how many matching entries to skip (oldest first).</summary>
    public int Skip { get; init; }

    /// <summary>Gets the most entries to return.</summary>
    /// <value>The default value is 100.</value>
    public int Take { get; init; } = 100;

    /// <summary>Whether the entry matches; <paramref name="failureGroup"/> is its effective group (computed for old entries).</summary>
    internal bool Matches(DeadLetterEntry entry, Func<DeadLetterEntry, string> failureGroup)
        => (Status is null ? IncludeArchived || entry.Status != DeadLetterStatus.Archived : entry.Status == Status)
        && (OperationType is null || string.Equals(entry.OperationType, OperationType, StringComparison.Ordinal))
        && (ErrorType is null || string.Equals(entry.Error.Type, ErrorType, StringComparison.Ordinal))
        && (ErrorMessage is null || string.Equals(entry.Error.Message, ErrorMessage, StringComparison.Ordinal))
        && (ErrorMessageContains is null || entry.Error.Message.Contains(ErrorMessageContains, StringComparison.OrdinalIgnoreCase))
        && (CreatedFrom is null || entry.CreatedAt >= CreatedFrom)
        && (CreatedTo is null || entry.CreatedAt < CreatedTo)
        && (FailureGroup is null || string.Equals(failureGroup(entry), FailureGroup, StringComparison.Ordinal));
}
