namespace Resilience.Compensation;

/// <summary>
/// What a <see cref="ICompensationJournal"/> knows of an operation that started and did not finish: its named steps, the
/// positions of its delegate steps, the steps already compensated and where it is parked. A snapshot.
/// </summary>
public sealed class CompensationJournalOperation
{
    /// <summary>Initializes a new instance of the <see cref="CompensationJournalOperation"/> class.</summary>
    /// <param name="id">The operation's id.</param>
    /// <param name="steps">The named steps by index.</param>
    /// <param name="delegateSteps">The indices of delegate steps.</param>
    /// <param name="compensatedSteps">The indices compensated (or acknowledged as undone by hand).</param>
    /// <param name="parkedEntryId">The dead letter entry holding the rest of the rollback, when parked.</param>
    public CompensationJournalOperation(string id, IReadOnlyDictionary<int, CompensationJournalStep> steps, IReadOnlySet<int> delegateSteps, IReadOnlySet<int> compensatedSteps, string? parkedEntryId)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(delegateSteps);
        ArgumentNullException.ThrowIfNull(compensatedSteps);
        Id = id;
        Steps = steps;
        DelegateSteps = delegateSteps;
        CompensatedSteps = compensatedSteps;
        ParkedEntryId = parkedEntryId;
    }

    /// <summary>Gets the operation's id.</summary>
    public string Id { get; }

    /// <summary>Gets the named steps by index.</summary>
    public IReadOnlyDictionary<int, CompensationJournalStep> Steps { get; }

    /// <summary>Gets the indices of delegate steps registered after the operation became durable.</summary>
    public IReadOnlySet<int> DelegateSteps { get; }

    /// <summary>Gets the indices compensated (or, for lost steps, acknowledged as undone by hand).</summary>
    public IReadOnlySet<int> CompensatedSteps { get; }

    /// <summary>Gets the dead letter entry holding the rest of the rollback, when parked.</summary>
    public string? ParkedEntryId { get; }

    /// <summary>Gets the highest index registered (named or delegate); -1 when none.</summary>
    internal int TopIndex => Math.Max(Steps.Count == 0 ? -1 : Steps.Keys.Max(), DelegateSteps.Count == 0 ? -1 : DelegateSteps.Max());

    /// <summary>
    /// Gets the steps still to compensate, highest index first. An index with no named step is a delegate step: its
    /// compensation lived only in the memory of the process that registered it. Steps registered as delegates before
    /// the operation's first named step leave no record, but the named step's index shows they exist.
    /// </summary>
    internal IEnumerable<int> PendingIndices()
    {
        for (var i = TopIndex; i >= 0; i--)
        {
            if (!CompensatedSteps.Contains(i))
            {
                yield return i;
            }
        }
    }

    /// <summary>Gets the pending indices that have no named step.</summary>
    internal IReadOnlyList<int> LostIndices() => [.. PendingIndices().Where(i => !Steps.ContainsKey(i))];
}
