using System.Runtime.InteropServices;

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
    private readonly Func<long?> _oldestPending;
    private int _total;
    private long _payloadBytes;
    private long _attempts;

    /// <param name="oldestPending">The creation time of the oldest pending or retrying entry (the index keeps them in a heap).</param>
    public RunningCounts(Func<long?> oldestPending) => _oldestPending = oldestPending;

    public void Add(IndexedEntry entry) => Change(entry.OperationType, entry.Status, entry.PayloadLength, entry.AttemptCount, +1);

    /// <summary>Counts an entry given by its fields (the write path makes no entry object).</summary>
    public void Add(string operationType, DeadLetterStatus status, int payloadLength, int attemptCount) => Change(operationType, status, payloadLength, attemptCount, +1);

    public void Remove(IndexedEntry entry) => Change(entry.OperationType, entry.Status, entry.PayloadLength, entry.AttemptCount, -1);

    public void Clear()
    {
        _byStatus.Clear();
        _byType.Clear();
        _pendingByType.Clear();
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
        OldestPendingCreatedAt = _oldestPending() is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
    };

    private void Change(string operationType, DeadLetterStatus status, int payloadLength, int attemptCount, int delta)
    {
        _total += delta;
        _payloadBytes += delta * (long)payloadLength;
        _attempts += delta * (long)attemptCount;
        Bump(_byStatus, status, delta);
        Bump(_byType, operationType, delta);
        if (status == DeadLetterStatus.Pending)
        {
            Bump(_pendingByType, operationType, delta);
        }
    }

    private static void Bump<TKey>(Dictionary<TKey, int> counts, TKey key, int delta)
        where TKey : notnull
    {
        // One lookup for the common change (a count that stays above zero); a count that reaches zero is removed.
        ref var value = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _);
        value += delta;
        if (value == 0)
        {
            counts.Remove(key);
        }
    }
}
