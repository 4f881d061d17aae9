namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What the queue's scans read of an entry (scheduling, recovery, retention, queries, failure summaries, overflow):
/// everything but the payload, the context and the error's text (its reason is here), so a
/// <see cref="FileDeadLetterStore"/> answers from its index without reading the disk or materialising entries.
/// </summary>
internal readonly record struct DeadLetterSummary(
    string Id,
    string OperationType,
    DeadLetterStatus Status,
    long Version,
    int AttemptCount,
    int MaxAttempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long EncodedBytes,
    DeadLetterFailureReason Reason = default,
    string? FailureGroup = null,
    DateTimeOffset? FirstFailedAt = null,
    DateTimeOffset? LastFailedAt = null,
    int ReplayCount = 0,
    DateTimeOffset? LastReplayedAt = null)
{
    public static DeadLetterSummary From(DeadLetterEntry entry) => new(
        entry.Id,
        entry.OperationType,
        entry.Status,
        entry.Version,
        entry.AttemptCount,
        entry.MaxAttempts,
        entry.NextAttemptAt,
        entry.CreatedAt,
        entry.UpdatedAt,
        DeadLetterLimits.EncodedSize(entry),
        entry.Error.Reason,
        entry.FailureGroup,
        entry.FirstFailedAt,
        entry.LastFailedAt,
        entry.ReplayCount,
        entry.LastReplayedAt);

    /// <summary>Gets an entry standing for this one in a conditional delete (id and version are all it reads).</summary>
    public DeadLetterEntry ToDeleteToken() => new()
    {
        Id = Id,
        OperationType = OperationType,
        Error = DeleteTokenError,
        Version = Version,
    };

    private static readonly DeadLetterError DeleteTokenError = new() { Type = string.Empty, Message = string.Empty };
}

/// <summary>The index-only reads of a store: the built-in file store answers from memory, any other store from <see cref="IDeadLetterStore.GetAll"/>.</summary>
internal static class DeadLetterStoreIndex
{
    public static IEnumerable<DeadLetterSummary> Summaries(this IDeadLetterStore store)
        => store is FileDeadLetterStore file ? file.Summaries() : store.GetAll().Select(DeadLetterSummary.From);
}
