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
    // Pending entries by creation time, for the oldest one. A heap with lazy removal: an entry that stopped pending
    // stays in it until it reaches the top and is found stale, so a change costs one push, not a search.
    private readonly PriorityQueue<(string Id, long CreatedTicks), long> _pendingByAge = new();
    private readonly Func<string, long, bool> _stillPending;
    private int _pendingCount;
    private int _total;
    private long _payloadBytes;
    private long _attempts;

    /// <param name="stillPending">Whether the entry with this id and creation time is still pending or retrying.</param>
    public RunningCounts(Func<string, long, bool> stillPending) => _stillPending = stillPending;

    public void Add(IndexedEntry entry) => Change(entry, +1);

    public void Remove(IndexedEntry entry) => Change(entry, -1);

    public void Clear()
    {
        _byStatus.Clear();
        _byType.Clear();
        _pendingByType.Clear();
        _pendingByAge.Clear();
        _pendingCount = 0;
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
        OldestPendingCreatedAt = OldestPending() is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
    };

    private long? OldestPending()
    {
        while (_pendingByAge.TryPeek(out var top, out _))
        {
            if (_stillPending(top.Id, top.CreatedTicks))
            {
                return top.CreatedTicks;
            }

            _pendingByAge.Dequeue();
        }

        return null;
    }

    private void Change(IndexedEntry entry, int delta)
    {
        _total += delta;
        _payloadBytes += delta * (long)entry.PayloadLength;
        _attempts += delta * (long)entry.AttemptCount;
        Bump(_byStatus, entry.Status, delta);
        Bump(_byType, entry.OperationType, delta);
        if (entry.Status == DeadLetterStatus.Pending)
        {
            Bump(_pendingByType, entry.OperationType, delta);
        }

        if (entry.Status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying)
        {
            _pendingCount += delta;
            if (delta > 0)
            {
                _pendingByAge.Enqueue((entry.Id, entry.CreatedTicks), entry.CreatedTicks);
                if (_pendingByAge.Count > 1024 && _pendingByAge.Count > 4 * _pendingCount)
                {
                    // Mostly stale: keep only what is still pending, so the heap stays proportional to the backlog.
                    var live = _pendingByAge.UnorderedItems.Where(item => _stillPending(item.Element.Id, item.Element.CreatedTicks)).ToList();
                    _pendingByAge.Clear();
                    _pendingByAge.EnqueueRange(live);
                }
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
