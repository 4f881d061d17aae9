namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Counts a store keeps up to date as each change applies (under the store's lock), so statistics and health checks
/// read them in time proportional to the number of operation types, not entries.
/// </summary>
internal sealed class RunningCounts
{
    private readonly Dictionary<DeadLetterStatus, int> _byStatus = [];
    private readonly Dictionary<string, int> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pendingByType = new(StringComparer.Ordinal);
    private readonly SortedSet<(long CreatedTicks, string Id)> _pendingByAge = new();
    private int _total;
    private long _payloadBytes;
    private long _attempts;

    public void Add(DeadLetterEntry entry) => Change(entry, +1);

    public void Remove(DeadLetterEntry entry) => Change(entry, -1);

    public void Clear()
    {
        _byStatus.Clear();
        _byType.Clear();
        _pendingByType.Clear();
        _pendingByAge.Clear();
        _total = 0;
        _payloadBytes = 0;
        _attempts = 0;
    }

    public DeadLetterCounts Snapshot() => new()
    {
        Total = _total,
        PayloadBytes = _payloadBytes,
        AttemptsMade = _attempts,
        ByStatus = new Dictionary<DeadLetterStatus, int>(_byStatus),
        ByOperationType = new Dictionary<string, int>(_byType, StringComparer.Ordinal),
        PendingByOperationType = new Dictionary<string, int>(_pendingByType, StringComparer.Ordinal),
        OldestPendingCreatedAt = _pendingByAge.Count == 0 ? null : new DateTimeOffset(_pendingByAge.Min.CreatedTicks, TimeSpan.Zero),
    };

    private void Change(DeadLetterEntry entry, int delta)
    {
        _total += delta;
        _payloadBytes += delta * (long)entry.Payload.Length;
        _attempts += delta * (long)entry.AttemptCount;
        Bump(_byStatus, entry.Status, delta);
        Bump(_byType, entry.OperationType, delta);
        if (entry.Status == DeadLetterStatus.Pending)
        {
            Bump(_pendingByType, entry.OperationType, delta);
        }

        if (entry.Status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying)
        {
            if (delta > 0)
            {
                _pendingByAge.Add((entry.CreatedAt.UtcTicks, entry.Id));
            }
            else
            {
                _pendingByAge.Remove((entry.CreatedAt.UtcTicks, entry.Id));
            }
        }
    }

    private static void Bump<TKey>(Dictionary<TKey, int> counts, TKey key, int delta)
        where TKey : notnull
    {
        var value = counts.GetValueOrDefault(key) + delta;
        if (value == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = value;
        }
    }
}
