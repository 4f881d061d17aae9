using System.Runtime.CompilerServices;

namespace Resilience.DeadLetter;

/// <summary>
/// The queue's reads over a store that answers them itself (<see cref="IDeadLetterQueryStore"/>, a database): queries,
/// counts and summaries are one statement each, and bulk actions walk the matches in keyset pages, so memory stays
/// bounded by a page and no operation reads every entry.
/// </summary>
public sealed partial class DeadLetterQueue
{
    // Big enough that a round trip per page is cheap next to the page's writes, small enough to bound memory.
    internal const int BulkPageSize = 500;

    // The conditional writes of a page run this many at a time: enough to overlap round trips, few enough that one bulk
    // action does not take a connection pool's every connection.
    private const int BulkWritesAtOnce = 16;

    // A store page holds at most this many entries (IDeadLetterQueryStore.QueryPageAsync); a larger Take reads several.
    private const int MaxStorePage = 10_000;

    private static readonly DeadLetterStatus[] AllStatuses = Enum.GetValues<DeadLetterStatus>();

    private IDeadLetterQueryStore? QueryStore => _store as IDeadLetterQueryStore;

    /// <summary>
    /// Counts the entries an action on a filter would affect now, changing nothing (a dry run); the asynchronous form of
    /// <see cref="CountMatching"/>, which a database store answers with one count.
    /// </summary>
    /// <param name="action">The action.</param>
    /// <param name="filter">Which entries (paging ignored).</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>How many entries the action would affect if nothing changed meanwhile.</returns>
    public async ValueTask<int> CountMatchingAsync(DeadLetterBulkAction action, DeadLetterQuery filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellationToken.ThrowIfCancellationRequested();
        if (QueryStore is not { } store)
        {
            return CountMatching(action, filter);
        }

        var criteria = CriteriaOf(action, filter);
        await PrepareGroupsAsync(store, criteria, DeadLetterGrouping.OperationType, cancellationToken).ConfigureAwait(false);
        return await store.CountAsync(criteria, EligibleStatuses(action, filter), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The statuses a query matches (its status, or every status but archived unless they are included).</summary>
    private static DeadLetterStatus[] StatusesOf(DeadLetterQuery query, Func<DeadLetterStatus, bool> eligible)
        => [.. AllStatuses.Where(status => (query.Status is null ? query.IncludeArchived || status != DeadLetterStatus.Archived : status == query.Status) && eligible(status))];

    /// <summary>The statuses an action on a filter takes (see <see cref="IsEligibleStatus"/>).</summary>
    private static DeadLetterStatus[] EligibleStatuses(DeadLetterBulkAction action, DeadLetterQuery filter)
        => StatusesOf(CriteriaOf(action, filter), status => IsEligibleStatus(action, filter, status));

    /// <summary>Before an operation that matches or groups by failure group, gives old entries their group.</summary>
    private async ValueTask PrepareGroupsAsync(IDeadLetterQueryStore store, DeadLetterQuery criteria, DeadLetterGrouping groupBy, CancellationToken cancellationToken)
    {
        if (criteria.FailureGroup is not null || groupBy == DeadLetterGrouping.FailureGroup)
        {
            await store.FillMissingFailureGroupsAsync(FailureGroupOf, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<DeadLetterPage> QueryPushedDownAsync(IDeadLetterQueryStore store, DeadLetterQuery query, CancellationToken cancellationToken)
    {
        await PrepareGroupsAsync(store, query, DeadLetterGrouping.OperationType, cancellationToken).ConfigureAwait(false);
        var statuses = StatusesOf(query, _ => true);
        var total = await store.CountAsync(query, statuses, cancellationToken).ConfigureAwait(false);
        var entries = new List<DeadLetterEntry>();
        var page = query;
        var skip = query.Skip;
        while (entries.Count < query.Take)
        {
            var want = Math.Min(query.Take - entries.Count, MaxStorePage);
            var read = await store.QueryPageAsync(page, statuses, skip, want, cancellationToken).ConfigureAwait(false);
            entries.AddRange(read);
            if (read.Count < want)
            {
                break;
            }

            // Past the first page, keyset: the next read starts after the last id instead of skipping again.
            page = page with { AfterId = read[^1].Id };
            skip = 0;
        }

        return new DeadLetterPage(entries, total);
    }

    private async ValueTask<IReadOnlyList<DeadLetterGroupSummary>> SummarizePushedDownAsync(IDeadLetterQueryStore store, DeadLetterGrouping groupBy, DeadLetterQuery filter, CancellationToken cancellationToken)
    {
        await PrepareGroupsAsync(store, filter, groupBy, cancellationToken).ConfigureAwait(false);
        var statuses = StatusesOf(filter, status => filter.Status is not null || !IsSettled(status));
        var groups = await store.SummarizeAsync(groupBy, filter, statuses, cancellationToken).ConfigureAwait(false);
        return [.. groups.OrderByDescending(summary => summary.Count).ThenBy(summary => summary.Key, StringComparer.Ordinal)];
    }

    /// <summary>Walks the entries matching criteria and statuses in keyset pages (ids after the previous page's last).</summary>
    private static async IAsyncEnumerable<IReadOnlyList<DeadLetterEntry>> PagesAsync(
        IDeadLetterQueryStore store,
        DeadLetterQuery criteria,
        IReadOnlyCollection<DeadLetterStatus> statuses,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = criteria;
        while (true)
        {
            var entries = await store.QueryPageAsync(page, statuses, 0, BulkPageSize, cancellationToken).ConfigureAwait(false);
            if (entries.Count > 0)
            {
                yield return entries;
            }

            if (entries.Count < BulkPageSize)
            {
                yield break;
            }

            page = page with { AfterId = entries[^1].Id };
        }
    }

    private async ValueTask<int> ChangeMatchingPushedDownAsync(IDeadLetterQueryStore store, DeadLetterBulkAction action, DeadLetterQuery filter, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
    {
        var criteria = CriteriaOf(action, filter);
        await PrepareGroupsAsync(store, criteria, DeadLetterGrouping.OperationType, cancellationToken).ConfigureAwait(false);
        var changed = 0;
        await foreach (var page in PagesAsync(store, criteria, EligibleStatuses(action, filter), cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunk in page.Chunk(BulkWritesAtOnce))
            {
                var writes = chunk.Select(entry => ChangeIfAsync(store, entry, current => IsEligible(action, filter, current), change, cancellationToken));
                foreach (var entry in await Task.WhenAll(writes).ConfigureAwait(false))
                {
                    changed += entry is null ? 0 : 1;
                }
            }
        }

        return changed;
    }

    private async ValueTask<int> ReplayPushedDownAsync(IDeadLetterQueryStore store, DeadLetterQuery filter, double maxPerSecond, CancellationToken cancellationToken)
    {
        var criteria = CriteriaOf(DeadLetterBulkAction.Replay, filter);
        await PrepareGroupsAsync(store, criteria, DeadLetterGrouping.OperationType, cancellationToken).ConfigureAwait(false);
        var statuses = EligibleStatuses(DeadLetterBulkAction.Replay, filter);

        // The operation types and the total come from one grouped count, so a missing handler refuses the replay before
        // any entry changes, and the spread is known before the first page is read.
        var types = await store.SummarizeAsync(DeadLetterGrouping.OperationType, criteria, statuses, cancellationToken).ConfigureAwait(false);
        foreach (var type in types)
        {
            EnsureHandler(type.Key);
        }

        CheckSpread(types.Sum(type => type.Count), maxPerSecond);
        var now = _options.TimeProvider.GetUtcNow();
        var index = 0;
        var replayed = 0;
        await foreach (var page in PagesAsync(store, criteria, statuses, cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunk in page.Chunk(BulkWritesAtOnce))
            {
                var writes = new List<Task<DeadLetterEntry?>>(chunk.Length);
                foreach (var entry in chunk)
                {
                    var due = now + TimeSpan.FromTicks((long)(index++ * (TimeSpan.TicksPerSecond / maxPerSecond)));
                    writes.Add(ChangeIfAsync(store, entry, current => IsEligible(DeadLetterBulkAction.Replay, filter, current), current => Replayed(current, now, due), cancellationToken));
                }

                foreach (var entry in await Task.WhenAll(writes).ConfigureAwait(false))
                {
                    if (entry is not null)
                    {
                        Processor.Schedule(entry);
                        replayed++;
                    }
                }
            }
        }

        _telemetry.Report("OnReplayed");
        return replayed;
    }

    private async ValueTask<int> PurgePushedDownAsync(IDeadLetterQueryStore store, DeadLetterQuery filter, CancellationToken cancellationToken)
    {
        await PrepareGroupsAsync(store, filter, DeadLetterGrouping.OperationType, cancellationToken).ConfigureAwait(false);
        var purged = 0;
        await foreach (var page in PagesAsync(store, filter, StatusesOf(filter, _ => true), cancellationToken).ConfigureAwait(false))
        {
            await _store.DeleteAsync([.. page.Select(entry => entry.Id)], cancellationToken).ConfigureAwait(false);
            purged += page.Count;
        }

        return purged;
    }

    /// <summary>The oldest exhausted entries whose removal makes room, read a page at a time; empty when they cannot.</summary>
    private async ValueTask<List<DeadLetterEntry>> OldestExhaustedForRoomAsync(IDeadLetterQueryStore store, long entryBytes, CancellationToken cancellationToken)
    {
        var victims = new List<DeadLetterEntry>();
        long freedBytes = 0;
        await foreach (var page in PagesAsync(store, new DeadLetterQuery(), [DeadLetterStatus.Exhausted], cancellationToken).ConfigureAwait(false))
        {
            foreach (var candidate in page)
            {
                victims.Add(candidate);
                freedBytes += DeadLetterLimits.EncodedSize(candidate);
                if (_store.Count - victims.Count + 1 <= _options.MaxEntries && _store.SizeBytes - freedBytes + entryBytes <= _options.MaxBytes)
                {
                    return victims;
                }
            }
        }

        return [];
    }

    /// <summary>
    /// Applies a change to an entry read from a page while it still qualifies: an entry changed meanwhile is read again
    /// (asynchronously) and re-checked, never overwritten.
    /// </summary>
    private async Task<DeadLetterEntry?> ChangeIfAsync(IDeadLetterQueryStore store, DeadLetterEntry read, Func<DeadLetterEntry, bool> qualifies, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
    {
        var current = read;
        while (current is not null && qualifies(current))
        {
            var updated = await _store.TryUpdateAsync(change(current), cancellationToken).ConfigureAwait(false);
            if (updated is not null)
            {
                return updated;
            }

            current = await store.FindAsync(read.Id, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static void CheckSpread(int matches, double maxPerSecond)
    {
        if (matches / maxPerSecond > TimeSpan.FromDays(365).TotalSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerSecond), maxPerSecond, $"Replaying {matches} entries at {maxPerSecond} per second would take more than a year; raise the rate or narrow the filter.");
        }
    }
}
