namespace Resilience.DeadLetter;

/// <summary>
/// A snapshot of the queue's content. Every figure is derived from the stored entries, so it is the same after a
/// restart; entries removed by retention or purge no longer count.
/// </summary>
public sealed record DeadLetterStatistics
{
    /// <summary>Gets the number of entries (every status).</summary>
    public int TotalFailed { get; init; }

    /// <summary>Gets the number of retry attempts made, over all entries.</summary>
    public long TotalRetried { get; init; }

    /// <summary>Gets the number of recovered entries.</summary>
    public int Recovered { get; init; }

    /// <summary>Gets the number of exhausted entries.</summary>
    public int Exhausted { get; init; }

    /// <summary>Gets the number of discarded entries.</summary>
    public int Discarded { get; init; }

    /// <summary>Gets the number of pending (or retrying) entries.</summary>
    public int Pending { get; init; }

    /// <summary>Gets the total payload bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Gets the age of the oldest pending entry, or <see langword="null"/> when none is pending.</summary>
    public TimeSpan? OldestPendingAge { get; init; }

    /// <summary>Gets the number of entries per operation type.</summary>
    public IReadOnlyDictionary<string, int> ByOperationType { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Gets the operation types of pending entries that no handler is registered for: they stay pending until one is.
    /// </summary>
    public IReadOnlyList<string> OperationTypesWithoutHandler { get; init; } = [];

    /// <summary>Gets the number of entries per status.</summary>
    public IReadOnlyDictionary<DeadLetterStatus, int> ByStatus { get; init; } = new Dictionary<DeadLetterStatus, int>();
}
