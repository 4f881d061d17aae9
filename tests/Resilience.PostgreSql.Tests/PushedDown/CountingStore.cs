using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests.PushedDown;

/// <summary>
/// The PostgreSQL store behind a counter of its whole-store reads: <see cref="GetAll"/> (which the queue's in-memory
/// paths, <c>Summaries()</c> included, go through for any store but the file store). Everything else is passed on.
/// </summary>
internal sealed class CountingStore(PostgreSqlDeadLetterStore inner) : IDeadLetterStore, IDeadLetterLeaseStore, IDeadLetterQueryStore
{
    private int _getAllCalls;

    public int GetAllCalls => Volatile.Read(ref _getAllCalls);

    public int Count => inner.Count;

    public long PayloadBytes => inner.PayloadBytes;

    public long SizeBytes => inner.SizeBytes;

    public TimeSpan LeaseDuration => inner.LeaseDuration;

    public TimeSpan PollInterval => inner.PollInterval;

    public IReadOnlyList<DeadLetterEntry> GetAll()
    {
        Interlocked.Increment(ref _getAllCalls);
        return inner.GetAll();
    }

    public DeadLetterCounts GetCounts() => inner.GetCounts();

    public DeadLetterEntry? Find(string id) => inner.Find(id);

    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => inner.SaveAsync(entries, cancellationToken);

    public ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default) => inner.TryUpdateAsync(entry, cancellationToken);

    public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);

    public ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => inner.TryDeleteAsync(entries, cancellationToken);

    public ValueTask<IReadOnlyList<DeadLetterEntry>> ClaimDueAsync(IReadOnlyCollection<string> operationTypes, int maxEntries, DateTimeOffset now, CancellationToken cancellationToken = default)
        => inner.ClaimDueAsync(operationTypes, maxEntries, now, cancellationToken);

    public ValueTask<bool> TryRenewLeaseAsync(DeadLetterEntry entry, DateTimeOffset now, CancellationToken cancellationToken = default) => inner.TryRenewLeaseAsync(entry, now, cancellationToken);

    public ValueTask<DateTimeOffset?> GetNextClaimableAtAsync(IReadOnlyCollection<string> operationTypes, CancellationToken cancellationToken = default)
        => inner.GetNextClaimableAtAsync(operationTypes, cancellationToken);

    public ValueTask<int> DeleteResolvedAsync(DateTimeOffset updatedBefore, DateTimeOffset? archivedBefore = null, CancellationToken cancellationToken = default)
        => inner.DeleteResolvedAsync(updatedBefore, archivedBefore, cancellationToken);

    public IDisposable SubscribeToChanges(Action callback) => inner.SubscribeToChanges(callback);

    public ValueTask<DeadLetterEntry?> FindAsync(string id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

    public ValueTask<IReadOnlyList<DeadLetterEntry>> QueryPageAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take, CancellationToken cancellationToken = default)
        => inner.QueryPageAsync(criteria, statuses, skip, take, cancellationToken);

    public ValueTask<int> CountAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default)
        => inner.CountAsync(criteria, statuses, cancellationToken);

    public ValueTask<IReadOnlyList<DeadLetterGroupSummary>> SummarizeAsync(DeadLetterGrouping groupBy, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default)
        => inner.SummarizeAsync(groupBy, criteria, statuses, cancellationToken);

    public ValueTask<int> FillMissingFailureGroupsAsync(Func<DeadLetterEntry, string> failureGroup, CancellationToken cancellationToken = default)
        => inner.FillMissingFailureGroupsAsync(failureGroup, cancellationToken);

    public IReadOnlyList<DeadLetterEntry> QueryPage(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take)
        => inner.QueryPage(criteria, statuses, skip, take);

    public int CountMatching(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses) => inner.CountMatching(criteria, statuses);

    public int FillMissingFailureGroups(Func<DeadLetterEntry, string> failureGroup) => inner.FillMissingFailureGroups(failureGroup);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
