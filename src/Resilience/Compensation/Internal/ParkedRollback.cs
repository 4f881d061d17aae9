namespace Resilience.Compensation.Internal;

/// <summary>
/// The rest of a parked rollback kept in memory (it has the delegate steps a restart would lose): the steps still to
/// run, highest index first, and the dead letter entry that holds it. Changed only under the operation's lease.
/// </summary>
internal sealed class ParkedRollback(List<PendingStep> remaining, string entryId)
{
    public List<PendingStep> Remaining { get; } = remaining;

    public string EntryId { get; } = entryId;
}
