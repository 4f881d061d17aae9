using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// Selects entries by status, operation type, failure group, error and creation time, with paging. Unset criteria
/// match everything, except that <see cref="DeadLetterStatus.Archived"/> entries match only when
/// <see cref="IncludeArchived"/> is set or <see cref="Status"/> names them. Status, operation type, failure group and
/// creation time are answered from the store's index (no payload is read); the error filters read entries whole.
/// </summary>
public sealed record DeadLetterQuery
{
    /// <summary>Gets the status to match, if any.</summary>
    public DeadLetterStatus? Status { get; init; }

    /// <summary>Gets the operation type to match, if any.</summary>
    public string? OperationType { get; init; }

    /// <summary>Gets the failure group (<see cref="DeadLetterEntry.FailureGroup"/>) to match, if any.</summary>
    public string? FailureGroup { get; init; }

    /// <summary>
    /// Gets the error type (<see cref="DeadLetterError.Type"/>) to match exactly, if any. The error text is not in the
    /// file store's index: with this filter (or a message filter) the entries that pass the other criteria are read
    /// whole, one record read each.
    /// </summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the error message to match exactly (ordinal), if any; reads entries whole, like <see cref="ErrorType"/>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Gets text the error message must contain (ordinal, case-insensitive), if any; reads entries whole, like <see cref="ErrorType"/>.</summary>
    public string? ErrorMessageContains { get; init; }

    /// <summary>Gets the earliest creation time to match (inclusive), if any.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Gets the latest creation time to match (exclusive), if any.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Gets a value indicating whether archived entries match too (they do anyway when <see cref="Status"/> is <see cref="DeadLetterStatus.Archived"/>).</summary>
    public bool IncludeArchived { get; init; }

    /// <summary>
    /// Gets the id after which matches start (ordinal order, which is creation order), if any: keyset paging, where the
    /// next page's <see cref="AfterId"/> is the last id of the page before. Unlike <see cref="Skip"/> it costs the same
    /// on every page, and an entry added or removed meanwhile does not shift the pages. It is a criterion like the
    /// others: <see cref="DeadLetterPage.TotalMatches"/> counts the matches after it.
    /// </summary>
    public string? AfterId { get; init; }

    /// <summary>Gets how many matching entries to skip (oldest first).</summary>
    public int Skip { get; init; }

    /// <summary>Gets the most entries to return.</summary>
    /// <value>The default value is 100.</value>
    public int Take { get; init; } = 100;

    /// <summary>Gets a value indicating whether a criterion needs the error's text (not in the file store's index).</summary>
    internal bool NeedsError => ErrorType is not null || ErrorMessage is not null || ErrorMessageContains is not null;

    /// <summary>
    /// Gets a value indicating whether the store's running counts give the total: no criterion but the status, or
    /// the operation type when archived entries are included.
    /// </summary>
    internal bool CountedByStore => AfterId is null && CreatedFrom is null && CreatedTo is null && FailureGroup is null && !NeedsError
        && (OperationType is null || (Status is null && IncludeArchived));

    /// <summary>Whether the index fields match; <paramref name="failureGroup"/> is the effective group (computed for old entries).</summary>
    internal bool Matches(DeadLetterSummary entry, Func<DeadLetterSummary, string> failureGroup)
        => (Status is null ? IncludeArchived || entry.Status != DeadLetterStatus.Archived : entry.Status == Status)
        && (OperationType is null || string.Equals(entry.OperationType, OperationType, StringComparison.Ordinal))
        && (AfterId is null || string.CompareOrdinal(entry.Id, AfterId) > 0)
        && (CreatedFrom is null || entry.CreatedAt >= CreatedFrom)
        && (CreatedTo is null || entry.CreatedAt < CreatedTo)
        && (FailureGroup is null || string.Equals(failureGroup(entry), FailureGroup, StringComparison.Ordinal));

    /// <summary>Whether the error criteria match (always, when there are none).</summary>
    internal bool MatchesError(DeadLetterError error)
        => (ErrorType is null || string.Equals(error.Type, ErrorType, StringComparison.Ordinal))
        && (ErrorMessage is null || string.Equals(error.Message, ErrorMessage, StringComparison.Ordinal))
        && (ErrorMessageContains is null || error.Message.Contains(ErrorMessageContains, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a whole entry matches; <paramref name="failureGroup"/> is its effective group (computed for old entries).</summary>
    internal bool Matches(DeadLetterEntry entry, Func<DeadLetterEntry, string> failureGroup)
        => Matches(DeadLetterSummary.From(entry), _ => failureGroup(entry)) && MatchesError(entry.Error);
}
