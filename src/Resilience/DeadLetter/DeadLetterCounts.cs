namespace Resilience.DeadLetter;

/// <summary>
/// Counts over a store's entries, which statistics and health checks read: a store keeps them up to date as it
/// applies changes, so reading them costs nothing like a scan of every entry.
/// </summary>
public sealed class DeadLetterCounts
{
    /// <summary>Gets the number of entries.</summary>
    public required int Total { get; init; }

    /// <summary>Gets the total payload bytes.</summary>
    public required long PayloadBytes { get; init; }

    /// <summary>Gets the attempts made, summed over the entries.</summary>
    public required long AttemptsMade { get; init; }

    /// <summary>Gets the entries per status.</summary>
    public required IReadOnlyDictionary<DeadLetterStatus, int> ByStatus { get; init; }

    /// <summary>Gets the entries per operation type.</summary>
    public required IReadOnlyDictionary<string, int> ByOperationType { get; init; }

    /// <summary>Gets the entries waiting for an attempt (status <see cref="DeadLetterStatus.Pending"/>) per operation type.</summary>
    public IReadOnlyDictionary<string, int> PendingByOperationType { get; init; } = new Dictionary<string, int>();

    /// <summary>Gets when the oldest entry still to be retried (pending or retrying) was created.</summary>
    public DateTimeOffset? OldestPendingCreatedAt { get; init; }

    /// <summary>Computes the counts by reading every entry (what a store without its own counts does).</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The counts.</returns>
    public static DeadLetterCounts Compute(IEnumerable<DeadLetterEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byStatus = new Dictionary<DeadLetterStatus, int>();
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        var pendingByType = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        long payload = 0;
        long attempts = 0;
        DateTimeOffset? oldest = null;
        foreach (var entry in entries)
        {
            total++;
            payload += entry.Payload.Length;
            attempts += entry.AttemptCount;
            byStatus[entry.Status] = byStatus.GetValueOrDefault(entry.Status) + 1;
            byType[entry.OperationType] = byType.GetValueOrDefault(entry.OperationType) + 1;
            if (entry.Status == DeadLetterStatus.Pending)
            {
                pendingByType[entry.OperationType] = pendingByType.GetValueOrDefault(entry.OperationType) + 1;
            }

            if (entry.Status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying && (oldest is null || entry.CreatedAt < oldest))
            {
                oldest = entry.CreatedAt;
            }
        }

        return new DeadLetterCounts
        {
            Total = total,
            PayloadBytes = payload,
            AttemptsMade = attempts,
            ByStatus = byStatus,
            ByOperationType = byType,
            PendingByOperationType = pendingByType,
            OldestPendingCreatedAt = oldest,
        };
    }
}
