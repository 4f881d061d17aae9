namespace Resilience.DeadLetter;

/// <summary>
/// The synchronous reads over a store that answers them itself (<see cref="IDeadLetterQueryStore"/>): the same count
/// and pages as the asynchronous forms, through the store's synchronous members, so <see cref="Query"/> and
/// <see cref="CountMatching"/> never read every entry either.
/// </summary>
public sealed partial class DeadLetterQueue
{
    /// <summary>Before a synchronous operation that matches by failure group, gives old entries their group.</summary>
    private void PrepareGroups(IDeadLetterQueryStore store, DeadLetterQuery criteria)
    {
        if (criteria.FailureGroup is not null)
        {
            store.FillMissingFailureGroups(FailureGroupOf);
        }
    }

    private DeadLetterPage QueryPushedDown(IDeadLetterQueryStore store, DeadLetterQuery query)
    {
        PrepareGroups(store, query);
        var statuses = StatusesOf(query, _ => true);
        var total = store.CountMatching(query, statuses);
        var entries = new List<DeadLetterEntry>();
        var page = query;
        var skip = query.Skip;
        while (entries.Count < query.Take)
        {
            var want = Math.Min(query.Take - entries.Count, MaxStorePage);
            var read = store.QueryPage(page, statuses, skip, want);
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

    private int CountMatchingPushedDown(IDeadLetterQueryStore store, DeadLetterBulkAction action, DeadLetterQuery filter)
    {
        var criteria = CriteriaOf(action, filter);
        PrepareGroups(store, criteria);
        return store.CountMatching(criteria, EligibleStatuses(action, filter));
    }
}
