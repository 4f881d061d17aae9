namespace Resilience.Compensation.Internal;

/// <summary>
/// What the journal knows of an operation that started and did not finish: its named steps (with their state), the
/// positions of its delegate steps, the steps already compensated, who last claimed its rollback and where it is
/// parked. A copy: the journal's own instance changes only under its lock.
/// </summary>
internal sealed class JournaledOperation(string id)
{
    public string Id { get; } = id;

    /// <summary>Gets the named steps by index.</summary>
    public SortedDictionary<int, (string Handler, byte[] State)> Steps { get; } = [];

    /// <summary>Gets the indices of delegate steps registered after the operation became durable.</summary>
    public SortedSet<int> Delegates { get; } = [];

    /// <summary>Gets the indices compensated (or, for lost steps, acknowledged as undone by hand).</summary>
    public HashSet<int> Done { get; } = [];

    /// <summary>Gets or sets the journal incarnation holding the current claim, if any.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Gets or sets how many rollback attempts were claimed.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets the dead letter entry holding the rest of the rollback, when parked.</summary>
    public string? ParkedEntryId { get; set; }

    public long Bytes { get; set; }

    /// <summary>The public snapshot the manager reads.</summary>
    public CompensationJournalOperation ToSnapshot() => new(
        Id,
        Steps.ToDictionary(s => s.Key, s => new CompensationJournalStep(s.Value.Handler, s.Value.State)),
        new HashSet<int>(Delegates),
        new HashSet<int>(Done),
        ParkedEntryId);

    public JournaledOperation Copy()
    {
        var copy = new JournaledOperation(Id) { Bytes = Bytes, ClaimedBy = ClaimedBy, Attempts = Attempts, ParkedEntryId = ParkedEntryId };
        foreach (var step in Steps)
        {
            copy.Steps[step.Key] = step.Value;
        }

        copy.Delegates.UnionWith(Delegates);
        copy.Done.UnionWith(Done);
        return copy;
    }
}
