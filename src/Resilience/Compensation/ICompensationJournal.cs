namespace Resilience.Compensation;

/// <summary>
/// Where a <see cref="CompensationManager"/> keeps its durable record of named compensations: which steps each
/// operation registered (with their serialized state), which were compensated, who runs its rollback and where it is
/// parked. The file journal (<see cref="CompensationOptions.JournalDirectory"/>) serves one process; a shared one (for
/// example <c>UsePostgreSql</c>) serves several instances, and its claims decide which instance runs a rollback.
/// </summary>
/// <remarks>
/// <para>
/// Within one manager, an operation's journal calls come from its open scope or, under the manager's per-operation
/// lock, from one runner at a time (the first rollback, recovery, a resume). Writes are acknowledged only once durable, and take no cancellation token: a registration or a
/// compensated mark that is cancelled halfway would leave the record unsure of what happened.
/// </para>
/// <para>
/// A claim says which runner may compensate an operation now. A journal shared by several instances gives each claim
/// an owner and an expiry, renews it while the owner lives, and refuses the writes of a runner whose claim another
/// runner has since taken (<see cref="MarkCompensatedAsync"/> and <see cref="EndAsync"/> return
/// <see langword="false"/>), so a step is marked compensated once.
/// </para>
/// </remarks>
public interface ICompensationJournal : IAsyncDisposable
{
    /// <summary>Lists the operations that neither completed nor finished rolling back.</summary>
    /// <returns>Snapshots of the operations.</returns>
    ValueTask<IReadOnlyList<CompensationJournalOperation>> GetUnfinishedAsync();

    /// <summary>Reads one unfinished operation.</summary>
    /// <param name="operationId">The operation.</param>
    /// <returns>A snapshot, or <see langword="null"/> when the operation is unknown or finished.</returns>
    ValueTask<CompensationJournalOperation?> FindAsync(string operationId);

    /// <summary>Records a named step (its handler and serialized state) before the forward step runs.</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="index">The step's position in the operation (from 0).</param>
    /// <param name="handlerName">The name of the handler that compensates it.</param>
    /// <param name="state">The handler's serialized state.</param>
    /// <returns>A task that completes when the step is durable.</returns>
    ValueTask RegisterStepAsync(string operationId, int index, string handlerName, ReadOnlyMemory<byte> state);

    /// <summary>Records that a delegate step (which lives only in this process's memory) sits at <paramref name="index"/>.</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="index">The step's position.</param>
    /// <returns>A task that completes when the mark is durable.</returns>
    ValueTask RegisterDelegateStepAsync(string operationId, int index);

    /// <summary>
    /// Claims the operation's rollback for this runner and reads it under the claim.
    /// </summary>
    /// <param name="operationId">The operation.</param>
    /// <returns>
    /// The operation as it stands under the new claim, or <see langword="null"/> when it is unknown, finished, or
    /// claimed by another runner that still holds it.
    /// </returns>
    ValueTask<CompensationJournalOperation?> TryClaimAsync(string operationId);

    /// <summary>Records that a step was compensated (or, for a lost step, undone by hand).</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="index">The step.</param>
    /// <returns><see langword="false"/> when another runner holds the operation's claim now: the mark is refused.</returns>
    ValueTask<bool> MarkCompensatedAsync(string operationId, int index);

    /// <summary>Gives up this runner's claim (the rollback stopped and stays where it is).</summary>
    /// <param name="operationId">The operation.</param>
    /// <returns>A task that completes when the release is durable.</returns>
    ValueTask ReleaseAsync(string operationId);

    /// <summary>Records that the rest of the rollback waits in a dead letter entry; gives up this runner's claim.</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="entryId">The dead letter entry.</param>
    /// <returns>A task that completes when the note is durable.</returns>
    ValueTask ParkAsync(string operationId, string entryId);

    /// <summary>Removes a finished operation: it completed, or its rollback finished.</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="completed"><see langword="true"/> when the operation completed; <see langword="false"/> when it was rolled back (or forgotten).</param>
    /// <returns><see langword="false"/> when another runner holds the operation's claim now: nothing is removed.</returns>
    ValueTask<bool> EndAsync(string operationId, bool completed);
}
