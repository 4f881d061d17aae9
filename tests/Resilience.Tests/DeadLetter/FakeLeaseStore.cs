using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// An in-memory <see cref="IDeadLetterLeaseStore"/> with the PostgreSQL store's claim rules, so the processor's
/// leased path is tested everywhere (no server): claims count the attempt and raise the version, renewals are
/// conditional on the claimed version, expired leases are claimable again.
/// </summary>
internal sealed class FakeLeaseStore : IDeadLetterStore, IDeadLetterLeaseStore
{
    private readonly InMemoryDeadLetterStore _inner = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Version, DateTimeOffset Expires)> _leases = new(StringComparer.Ordinal);
    private readonly List<Action> _subscribers = [];

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public int Renewals { get; private set; }

    public int Count => _inner.Count;

    public long PayloadBytes => _inner.PayloadBytes;

    public long SizeBytes => _inner.SizeBytes;

    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => _inner.SaveAsync(entries, cancellationToken);

    public ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _inner.TryUpdateAsync(entry, cancellationToken);
        }
    }

    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => _inner.DeleteAsync(ids, cancellationToken);

    public ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => _inner.TryDeleteAsync(entries, cancellationToken);

    public DeadLetterEntry? Find(string id) => _inner.Find(id);

    public IReadOnlyList<DeadLetterEntry> GetAll() => _inner.GetAll();

    public ValueTask DisposeAsync() => default;

    /// <summary>Leases an entry to "another instance" until <paramref name="expires"/>.</summary>
    public void LeaseElsewhere(DeadLetterEntry entry, DateTimeOffset expires)
    {
        lock (_lock)
        {
            _leases[entry.Id] = (entry.Version, expires);
        }
    }

    public DateTimeOffset? LeaseExpiry(string id)
    {
        lock (_lock)
        {
            return _leases.TryGetValue(id, out var lease) ? lease.Expires : null;
        }
    }

    public void RaiseChange()
    {
        foreach (var subscriber in _subscribers.ToList())
        {
            subscriber();
        }
    }

    public ValueTask<IReadOnlyList<DeadLetterEntry>> ClaimDueAsync(IReadOnlyCollection<string> operationTypes, int maxEntries, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var claimed = new List<DeadLetterEntry>();
        lock (_lock)
        {
            foreach (var entry in _inner.GetAll())
            {
                if (claimed.Count == maxEntries || !operationTypes.Contains(entry.OperationType) || !Claimable(entry, now))
                {
                    continue;
                }

                var updated = _inner.TryUpdateAsync(entry with { Status = DeadLetterStatus.Retrying, AttemptCount = entry.AttemptCount + 1, UpdatedAt = now }, CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
                _leases[entry.Id] = (updated.Version, now + LeaseDuration);
                claimed.Add(updated);
            }
        }

        return new ValueTask<IReadOnlyList<DeadLetterEntry>>(claimed);
    }

    public ValueTask<bool> TryRenewLeaseAsync(DeadLetterEntry entry, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var current = _inner.Find(entry.Id);
            if (current is null || current.Version != entry.Version || current.Status != DeadLetterStatus.Retrying
                || !_leases.TryGetValue(entry.Id, out var lease) || lease.Version != entry.Version)
            {
                return new ValueTask<bool>(false);
            }

            _leases[entry.Id] = (entry.Version, now + LeaseDuration);
            Renewals++;
            return new ValueTask<bool>(true);
        }
    }

    public ValueTask<DateTimeOffset?> GetNextClaimableAtAsync(IReadOnlyCollection<string> operationTypes, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? next = null;
        lock (_lock)
        {
            foreach (var entry in _inner.GetAll().Where(e => operationTypes.Contains(e.OperationType)))
            {
                DateTimeOffset? at = entry.Status switch
                {
                    DeadLetterStatus.Pending => entry.NextAttemptAt,
                    DeadLetterStatus.Retrying => _leases.TryGetValue(entry.Id, out var lease) && lease.Version == entry.Version ? lease.Expires : DateTimeOffset.MinValue,
                    _ => null,
                };
                if (at is { } value && (next is null || value < next))
                {
                    next = value;
                }
            }
        }

        return new ValueTask<DateTimeOffset?>(next);
    }

    public async ValueTask<int> DeleteResolvedAsync(DateTimeOffset updatedBefore, DateTimeOffset? archivedBefore = null, CancellationToken cancellationToken = default)
        => await _inner.TryDeleteAsync(
            [.. _inner.GetAll().Where(e => (e.Status is DeadLetterStatus.Recovered or DeadLetterStatus.Discarded && e.UpdatedAt <= updatedBefore)
                || (archivedBefore is not null && e.Status == DeadLetterStatus.Archived && e.UpdatedAt <= archivedBefore))],
            cancellationToken);

    public IDisposable SubscribeToChanges(Action callback)
    {
        _subscribers.Add(callback);
        return new Unsubscribe(() => _subscribers.Remove(callback));
    }

    private bool Claimable(DeadLetterEntry entry, DateTimeOffset now) => entry.Status switch
    {
        DeadLetterStatus.Pending => entry.NextAttemptAt is null || entry.NextAttemptAt <= now,
        DeadLetterStatus.Retrying => !_leases.TryGetValue(entry.Id, out var lease) || lease.Version != entry.Version || lease.Expires <= now,
        _ => false,
    };

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
