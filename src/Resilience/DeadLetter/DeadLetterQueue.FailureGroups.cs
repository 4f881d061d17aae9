using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// Failure groups and the operator's actions on every entry matching a filter (replay, discard, archive, restore).
/// </summary>
public sealed partial class DeadLetterQueue
{
    /// <summary>
    /// Groups the live backlog matching a filter (paging ignored) by failure group, operation type or reason. Unless the
    /// filter names a status, recovered, discarded and archived entries are left out.
    /// </summary>
    /// <remarks>
    /// Counts and times come from the store's index (the file store reads no record for them); each group's error type
    /// and message are read from its latest entry, one read per group. Error filters read entries whole.
    /// </remarks>
    /// <param name="groupBy">What to group by.</param>
    /// <param name="filter">Which entries to summarize; <see langword="null"/> takes the whole backlog.</param>
    /// <param name="cancellationToken">Cancels the summary.</param>
    /// <returns>The groups, largest first (ties by key).</returns>
    public ValueTask<IReadOnlyList<DeadLetterGroupSummary>> SummarizeAsync(DeadLetterGrouping groupBy, DeadLetterQuery? filter = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        filter ??= new DeadLetterQuery();
        if (QueryStore is { } store)
        {
            return SummarizePushedDownAsync(store, groupBy, filter, cancellationToken);
        }

        var groups = new Dictionary<string, (int Count, DateTimeOffset First, DateTimeOffset Last, DeadLetterSummary Latest)>(StringComparer.Ordinal);
        foreach (var entry in MatchingSummaries(filter))
        {
            if (filter.Status is null && IsSettled(entry.Status))
            {
                continue;
            }

            var key = groupBy switch
            {
                DeadLetterGrouping.OperationType => entry.OperationType,
                DeadLetterGrouping.Reason => entry.Reason.ToString(),
                _ => FailureGroupOf(entry),
            };
            var first = entry.FirstFailedAt ?? entry.CreatedAt;
            var last = entry.LastFailedAt ?? entry.UpdatedAt;
            groups[key] = groups.TryGetValue(key, out var group)
                ? (group.Count + 1, first < group.First ? first : group.First, last > group.Last ? last : group.Last, last > group.Last ? entry : group.Latest)
                : (1, first, last, entry);
        }

        IReadOnlyList<DeadLetterGroupSummary> summaries = [.. groups
            .Select(pair =>
            {
                // The error text is not in the index: the group's latest entry is read (an entry removed meanwhile leaves it empty).
                var latestError = FindForListing(pair.Value.Latest.Id)?.Error;
                return new DeadLetterGroupSummary
                {
                    Key = pair.Key,
                    Count = pair.Value.Count,
                    FirstFailedAt = pair.Value.First,
                    LastFailedAt = pair.Value.Last,
                    ErrorType = latestError?.Type ?? string.Empty,
                    LatestMessage = latestError?.Message ?? string.Empty,
                    OperationType = pair.Value.Latest.OperationType,
                };
            })
            .OrderByDescending(summary => summary.Count)
            .ThenBy(summary => summary.Key, StringComparer.Ordinal)];
        return new ValueTask<IReadOnlyList<DeadLetterGroupSummary>>(summaries);
    }

    /// <summary>
    /// Counts the entries an action on a filter would affect now, changing nothing (a dry run). A store that answers
    /// queries itself (<see cref="IDeadLetterQueryStore"/>) counts them with its synchronous count (the calling thread
    /// waits on the database; prefer <see cref="CountMatchingAsync"/> there).
    /// </summary>
    /// <param name="action">The action.</param>
    /// <param name="filter">Which entries (paging ignored).</param>
    /// <returns>How many entries the action would affect if nothing changed meanwhile.</returns>
    public int CountMatching(DeadLetterBulkAction action, DeadLetterQuery filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return QueryStore is { } store ? CountMatchingPushedDown(store, action, filter) : Candidates(action, filter).Count();
    }

    /// <summary>
    /// Replays every entry matching a filter (paging ignored) with a fresh attempt budget, at most
    /// <paramref name="maxPerSecond"/> attempts starting each second. Recovered and discarded entries are not replayed
    /// unless the filter names their status; archived entries never are (restore them first).
    /// </summary>
    /// <param name="filter">Which entries to replay.</param>
    /// <param name="maxPerSecond">The most attempts to start per second, at least 0.001.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were replayed; an entry that changed meanwhile so that it no longer matches is skipped.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPerSecond"/> is below 0.001, or spreading the matches at that rate would take more than a year.</exception>
    /// <exception cref="InvalidOperationException">A matching entry's operation type has no handler; nothing is replayed.</exception>
    public async ValueTask<int> ReplayMatchingAsync(DeadLetterQuery filter, double maxPerSecond, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (double.IsNaN(maxPerSecond) || maxPerSecond < 0.001 || double.IsInfinity(maxPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerSecond), maxPerSecond, "The replay rate must be a finite number of at least 0.001 per second.");
        }

        if (QueryStore is { } store)
        {
            return await ReplayPushedDownAsync(store, filter, maxPerSecond, cancellationToken).ConfigureAwait(false);
        }

        var matches = Candidates(DeadLetterBulkAction.Replay, filter).ToList();
        foreach (var type in matches.Select(e => e.OperationType).Distinct(StringComparer.Ordinal))
        {
            EnsureHandler(type);
        }

        CheckSpread(matches.Count, maxPerSecond);

        var now = _options.TimeProvider.GetUtcNow();
        var writes = new List<Task<DeadLetterEntry?>>(matches.Count);
        for (var i = 0; i < matches.Count; i++)
        {
            var due = now + TimeSpan.FromTicks((long)(i * (TimeSpan.TicksPerSecond / maxPerSecond)));
            writes.Add(ChangeIfAsync(matches[i].Id, entry => IsEligible(DeadLetterBulkAction.Replay, filter, entry), entry => Replayed(entry, now, due), cancellationToken));
        }

        var replayed = 0;
        foreach (var entry in await Task.WhenAll(writes).ConfigureAwait(false))
        {
            if (entry is not null)
            {
                Processor.Schedule(entry);
                replayed++;
            }
        }

        _telemetry.Report("OnReplayed");
        return replayed;
    }

    /// <summary>
    /// Discards every entry matching a filter (paging ignored). Recovered, discarded and archived entries are left alone
    /// unless the filter names their status.
    /// </summary>
    /// <param name="filter">Which entries to discard.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were discarded; an entry that changed meanwhile so that it no longer matches is skipped.</returns>
    public ValueTask<int> DiscardMatchingAsync(DeadLetterQuery filter, CancellationToken cancellationToken = default)
        => ChangeMatchingAsync(DeadLetterBulkAction.Discard, filter, Discarded, cancellationToken);

    /// <summary>
    /// Archives every entry matching a filter (paging ignored): they leave summaries, queries and replays until restored,
    /// and <see cref="DeadLetterQueueOptions.ArchiveRetention"/> removes them. Recovered and discarded entries are left
    /// alone unless the filter names their status.
    /// </summary>
    /// <param name="filter">Which entries to archive.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were archived.</returns>
    public ValueTask<int> ArchiveMatchingAsync(DeadLetterQuery filter, CancellationToken cancellationToken = default)
        => ChangeMatchingAsync(DeadLetterBulkAction.Archive, filter, Archived, cancellationToken);

    /// <summary>
    /// Restores every archived entry matching a filter (paging ignored, its status ignored): each becomes
    /// <see cref="DeadLetterStatus.Exhausted"/>, waiting for a replay.
    /// </summary>
    /// <param name="filter">Which entries to restore.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many entries were restored.</returns>
    public ValueTask<int> RestoreMatchingAsync(DeadLetterQuery filter, CancellationToken cancellationToken = default)
        => ChangeMatchingAsync(DeadLetterBulkAction.Restore, filter, Restored, cancellationToken);

    /// <summary>
    /// Archives an entry (see <see cref="ArchiveMatchingAsync"/>); an attempt running now has its outcome dropped.
    /// </summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The archived entry.</returns>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    public async ValueTask<DeadLetterEntry> ArchiveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return await ChangeAsync(id, Archived, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores an archived entry: it becomes <see cref="DeadLetterStatus.Exhausted"/>, waiting for a replay.
    /// </summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The restored entry.</returns>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    /// <exception cref="InvalidOperationException">The entry is not archived.</exception>
    public async ValueTask<DeadLetterEntry> RestoreAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return await ActAtVersionAsync(id, DeadLetterBulkAction.Restore, expectedVersion: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets an entry's failure group, computing it for entries stored before failure groups existed.</summary>
    internal string FailureGroupOf(DeadLetterEntry entry) => entry.FailureGroup ?? _options.Fingerprinter.Compute(entry.OperationType, entry.Error);

    /// <summary>Sets the error of a failure with its fingerprint and time.</summary>
    internal DeadLetterEntry WithFailure(DeadLetterEntry entry, DeadLetterError error, DateTimeOffset now) => entry with
    {
        Error = error,
        FailureGroup = _options.Fingerprinter.Compute(entry.OperationType, error),
        FirstFailedAt = entry.FirstFailedAt ?? entry.CreatedAt,
        LastFailedAt = now,
    };

    /// <summary>Gets an entry's failure group from the index, reading the entry only when it was stored before failure groups existed.</summary>
    internal string FailureGroupOf(DeadLetterSummary entry)
        => entry.FailureGroup ?? (FindForListing(entry.Id) is { } stored ? FailureGroupOf(stored) : string.Empty);

    /// <summary>
    /// Gets the entries matching a filter's criteria (paging ignored), in id order. The file store answers from its
    /// index; only the error criteria (and an old entry's group) read entries whole. Any other store is read once with
    /// <see cref="IDeadLetterStore.GetAll"/>, and its entries' groups are resolved from them; the queue's operations
    /// push their criteria down to a store that implements <see cref="IDeadLetterQueryStore"/> instead of calling this.
    /// </summary>
    internal IEnumerable<DeadLetterSummary> MatchingSummaries(DeadLetterQuery filter)
    {
        if (_store is FileDeadLetterStore file)
        {
            foreach (var summary in file.Summaries())
            {
                if (filter.Matches(summary, FailureGroupOf)
                    && (!filter.NeedsError || (FindForListing(summary.Id) is { } entry && filter.MatchesError(entry.Error))))
                {
                    yield return summary;
                }
            }

            yield break;
        }

        foreach (var entry in _store.GetAll())
        {
            var summary = DeadLetterSummary.From(entry) with { FailureGroup = FailureGroupOf(entry) };
            if (filter.Matches(summary, FailureGroupOf) && filter.MatchesError(entry.Error))
            {
                yield return summary;
            }
        }
    }

    private static bool IsSettled(DeadLetterStatus status) => status is DeadLetterStatus.Recovered or DeadLetterStatus.Discarded or DeadLetterStatus.Archived;

    /// <summary>Whether an action applies to an entry in this status under this filter (its criteria checked apart).</summary>
    private static bool IsEligibleStatus(DeadLetterBulkAction action, DeadLetterQuery filter, DeadLetterStatus status) => action switch
    {
        DeadLetterBulkAction.Restore => status == DeadLetterStatus.Archived,
        DeadLetterBulkAction.Discard => status is not (DeadLetterStatus.Discarded or DeadLetterStatus.Archived)
            && (filter.Status is not null || !IsSettled(status)),
        _ => status != DeadLetterStatus.Archived && (filter.Status is not null || !IsSettled(status)),
    };

    /// <summary>A restore ignores the filter's status: it takes archived entries only.</summary>
    private static DeadLetterQuery CriteriaOf(DeadLetterBulkAction action, DeadLetterQuery filter)
        => action == DeadLetterBulkAction.Restore ? filter with { Status = DeadLetterStatus.Archived } : filter;

    /// <summary>The entries an action on a filter takes now, from the index (see <see cref="MatchingSummaries"/>).</summary>
    private IEnumerable<DeadLetterSummary> Candidates(DeadLetterBulkAction action, DeadLetterQuery filter)
        => MatchingSummaries(CriteriaOf(action, filter)).Where(summary => IsEligibleStatus(action, filter, summary.Status));

    /// <summary>Whether an action applies to the entry as read whole (the re-check before each conditional write).</summary>
    private bool IsEligible(DeadLetterBulkAction action, DeadLetterQuery filter, DeadLetterEntry entry)
        => IsEligibleStatus(action, filter, entry.Status) && CriteriaOf(action, filter).Matches(entry, FailureGroupOf);

    private async ValueTask<int> ChangeMatchingAsync(DeadLetterBulkAction action, DeadLetterQuery filter, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (QueryStore is { } store)
        {
            return await ChangeMatchingPushedDownAsync(store, action, filter, change, cancellationToken).ConfigureAwait(false);
        }

        var writes = Candidates(action, filter)
            .ToList()
            .Select(entry => ChangeIfAsync(entry.Id, current => IsEligible(action, filter, current), change, cancellationToken))
            .ToList();
        var changed = 0;
        foreach (var entry in await Task.WhenAll(writes).ConfigureAwait(false))
        {
            changed += entry is null ? 0 : 1;
        }

        return changed;
    }

    /// <summary>
    /// Applies a change through the store's conditional update while the entry still qualifies: an entry changed
    /// meanwhile is read again and re-checked (skipped if it no longer qualifies), never overwritten.
    /// </summary>
    private async Task<DeadLetterEntry?> ChangeIfAsync(string id, Func<DeadLetterEntry, bool> qualifies, Func<DeadLetterEntry, DeadLetterEntry> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = _store.Find(id);
            if (current is null || !qualifies(current))
            {
                return null;
            }

            var updated = await _store.TryUpdateAsync(change(current), cancellationToken).ConfigureAwait(false);
            if (updated is not null)
            {
                return updated;
            }
        }
    }

    private DeadLetterEntry Discarded(DeadLetterEntry entry) => entry with
    {
        Status = DeadLetterStatus.Discarded,
        NextAttemptAt = null,
        UpdatedAt = _options.TimeProvider.GetUtcNow(),
    };

    private DeadLetterEntry Archived(DeadLetterEntry entry) => entry with
    {
        Status = DeadLetterStatus.Archived,
        NextAttemptAt = null,
        UpdatedAt = _options.TimeProvider.GetUtcNow(),
    };

    private DeadLetterEntry Restored(DeadLetterEntry entry) => entry with
    {
        Status = DeadLetterStatus.Exhausted,
        NextAttemptAt = null,
        UpdatedAt = _options.TimeProvider.GetUtcNow(),
    };
}
