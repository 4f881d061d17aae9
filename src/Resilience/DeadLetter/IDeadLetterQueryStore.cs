namespace Resilience.DeadLetter;

/// <summary>
/// What a store whose entries live in a database adds so that the queue never reads every entry: a queue over a store
/// that implements it pushes its queries, counts, failure summaries and bulk selections (replay, discard, archive,
/// restore, purge, overflow eviction) down to the store, one keyset page at a time, instead of filtering
/// <see cref="IDeadLetterStore.GetAll"/> in memory. The synchronous <see cref="DeadLetterQueue.Query"/> and
/// <see cref="DeadLetterQueue.CountMatching"/> use the synchronous members, which a store implements with its client's
/// synchronous I/O (not by waiting on the asynchronous members).
/// </summary>
/// <remarks>
/// <para>
/// Every method takes the criteria of a <see cref="DeadLetterQuery"/> (operation type, failure group, error type and
/// message, creation time range, <see cref="DeadLetterQuery.AfterId"/>) and, apart, the statuses to match: the queue
/// resolves the query's <see cref="DeadLetterQuery.Status"/> and <see cref="DeadLetterQuery.IncludeArchived"/>, and
/// the statuses an action applies to, into that set, so the store ignores those two properties and the query's
/// paging. Results are in id (creation) order, as everywhere else.
/// </para>
/// <para>
/// An entry without a stored <see cref="DeadLetterEntry.FailureGroup"/> (written before failure groups existed)
/// matches no failure group filter and groups under the empty key; before an operation that depends on groups the
/// queue calls <see cref="FillMissingFailureGroupsAsync"/> with its fingerprinter so that there are none.
/// </para>
/// </remarks>
public interface IDeadLetterQueryStore
{
    /// <summary>Gets an entry by id, without blocking a thread on the database.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    ValueTask<DeadLetterEntry?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads one page of the entries matching <paramref name="criteria"/> and <paramref name="statuses"/>, in id order.
    /// Pass the last id of a page as the next page's <see cref="DeadLetterQuery.AfterId"/> (keyset paging: a page costs
    /// the same wherever it starts, and entries changed or added meanwhile never shift a page).
    /// </summary>
    /// <param name="criteria">The criteria (its status, archive flag and paging are ignored).</param>
    /// <param name="statuses">The statuses to match.</param>
    /// <param name="skip">How many matching entries to skip first (0 for keyset paging).</param>
    /// <param name="take">The most entries to return (1 to 10,000).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries, whole.</returns>
    ValueTask<IReadOnlyList<DeadLetterEntry>> QueryPageAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take, CancellationToken cancellationToken = default);

    /// <summary>Counts the entries matching <paramref name="criteria"/> and <paramref name="statuses"/>.</summary>
    /// <param name="criteria">The criteria (its status, archive flag and paging are ignored).</param>
    /// <param name="statuses">The statuses to match.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>How many entries match.</returns>
    ValueTask<int> CountAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Groups the matching entries, computed by the store (grouped counts, no entry read by the caller): per group its
    /// count, earliest first failure, latest last failure, and the error and operation type of the entry with the
    /// latest failure (the lowest id among ties).
    /// </summary>
    /// <param name="groupBy">What to group by; <see cref="DeadLetterGrouping.Reason"/> keys are the reason's name.</param>
    /// <param name="criteria">The criteria (its status, archive flag and paging are ignored).</param>
    /// <param name="statuses">The statuses to match.</param>
    /// <param name="cancellationToken">Cancels the summary.</param>
    /// <returns>The groups, in any order.</returns>
    ValueTask<IReadOnlyList<DeadLetterGroupSummary>> SummarizeAsync(DeadLetterGrouping groupBy, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a failure group on every entry that has none, computed by <paramref name="failureGroup"/>, a page at a
    /// time. The group is derived from the entry's own fields, so this is no change an attempt or an operator could
    /// lose: the version stays, and an entry that got a group meanwhile keeps it.
    /// </summary>
    /// <param name="failureGroup">Computes an entry's group (the queue's fingerprinter).</param>
    /// <param name="cancellationToken">Cancels the fill; pages already written stay.</param>
    /// <returns>How many entries got a group.</returns>
    ValueTask<int> FillMissingFailureGroupsAsync(Func<DeadLetterEntry, string> failureGroup, CancellationToken cancellationToken = default);

    /// <summary>The synchronous form of <see cref="QueryPageAsync"/>, for <see cref="DeadLetterQueue.Query"/>.</summary>
    /// <param name="criteria">The criteria (its status, archive flag and paging are ignored).</param>
    /// <param name="statuses">The statuses to match.</param>
    /// <param name="skip">How many matching entries to skip first (0 for keyset paging).</param>
    /// <param name="take">The most entries to return (1 to 10,000).</param>
    /// <returns>The entries, whole, in id order.</returns>
    IReadOnlyList<DeadLetterEntry> QueryPage(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take);

    /// <summary>
    /// The synchronous form of <see cref="CountAsync"/>, for <see cref="DeadLetterQueue.Query"/> and
    /// <see cref="DeadLetterQueue.CountMatching"/>.
    /// </summary>
    /// <param name="criteria">The criteria (its status, archive flag and paging are ignored).</param>
    /// <param name="statuses">The statuses to match.</param>
    /// <returns>How many entries match.</returns>
    int CountMatching(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses);

    /// <summary>The synchronous form of <see cref="FillMissingFailureGroupsAsync"/>.</summary>
    /// <param name="failureGroup">Computes an entry's group (the queue's fingerprinter).</param>
    /// <returns>How many entries got a group.</returns>
    int FillMissingFailureGroups(Func<DeadLetterEntry, string> failureGroup);
}
