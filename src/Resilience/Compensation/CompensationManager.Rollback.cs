using Resilience.Compensation.Internal;

namespace Resilience.Compensation;

/// <summary>The walk down an operation's stack, last registered first, under the operation's lease.</summary>
public sealed partial class CompensationManager
{
    /// <summary>The first rollback of an operation, from its scope or its id: every registered step is pending.</summary>
    /// <remarks>
    /// A manager with neither a journal nor a dead letter queue walks the steps as they are: no other runner can ever
    /// own the operation (no recovery without a journal, nothing parked to resume without a queue, and a stack rolls
    /// back once), so the lease, the pending list and the journal claims would be pure overhead.
    /// </remarks>
    private Task<CompensationResult> RollbackFirstAsync(string operationId, List<CompensationStep> steps)
        => _journal is null && _deadLetters is null ? RollbackInMemoryAsync(operationId, steps) : RollbackUnderLeaseAsync(operationId, steps);

    private async Task<CompensationResult> RollbackInMemoryAsync(string operationId, List<CompensationStep> steps)
    {
        if (steps.Count == 0)
        {
            return new CompensationResult(operationId, [], null);
        }

        // What WalkAsync does for this manager, which never stops (stopping parks, and there is no queue) and has
        // no lost steps (those come from a journal). The results are an array only once a step failed (or for a
        // stack too long for the shared successes).
        var count = steps.Count;
        var results = count > StepResults.Shared ? new CompensationStepResult[count] : null;
        for (var i = count - 1; i >= 0; i--)
        {
            var failure = await RunStepAsync(steps[i]).ConfigureAwait(false);
            if (results is null && failure is not null)
            {
                results = new CompensationStepResult[count];
                for (var done = count - 1; done > i; done--)
                {
                    results[count - 1 - done] = StepResults.For(done, null);
                }
            }

            if (results is not null)
            {
                results[count - 1 - i] = StepResults.For(i, failure);
            }
        }

        return new CompensationResult(operationId, results ?? StepResults.AllSucceeded(count), null);
    }

    private async Task<CompensationResult> RollbackUnderLeaseAsync(string operationId, List<CompensationStep> steps)
    {
        using var lease = await _leases.AcquireAsync(operationId, CancellationToken.None).ConfigureAwait(false);

        // Taken off the live set under the lease, so recovery or a manual resume (which check it under the same
        // lease) either see the scope still owning the operation or find the rollback already done.
        var durable = _journal is not null && _live.TryRemove(operationId, out _);

        // Claimed before the journal is read, so what it says is compensated is what no other runner can add to.
        var journaled = durable ? await ClaimAsync(operationId).ConfigureAwait(false) : null;
        if (durable && journaled is null)
        {
            return new CompensationResult(operationId, [], null);
        }

        var pending = new List<PendingStep>(steps.Count);
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            if (journaled is null || !journaled.CompensatedSteps.Contains(i))
            {
                pending.Add(PendingStep.Runnable(i, steps[i]));
            }
        }

        return await WalkAsync(operationId, pending, durable, parkedEntryId: null, stopOnFailure: _policy == CompensationFailurePolicy.StopAndPark).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the pending steps in order (highest index first). Must hold the operation's lease and, when
    /// <paramref name="durable"/>, its journal claim. A lost step, or a failure when <paramref name="stopOnFailure"/>,
    /// stops the walk and parks the rest.
    /// </summary>
    private async Task<CompensationResult> WalkAsync(string operationId, List<PendingStep> pending, bool durable, string? parkedEntryId, bool stopOnFailure)
    {
        var journal = durable ? _journal : null;
        var results = new List<CompensationStepResult>(pending.Count);
        for (var k = 0; k < pending.Count; k++)
        {
            var step = pending[k];
            if (step.IsLost)
            {
                var reason = new InvalidOperationException(
                    $"Lost step {step.Index} of operation '{operationId}': it was registered as a delegate compensation, which lives only in the memory of the process that registered it, and that process stopped. Undo the step by hand, call CompensationManager.AcknowledgeLostStepsAsync for the operation, then replay the parked entry.");
                return await StopAsync(operationId, pending, k, durable, parkedEntryId, results, reason).ConfigureAwait(false);
            }

            var failure = await RunStepAsync(step.Step).ConfigureAwait(false);
            results.Add(StepResults.For(step.Index, failure));
            if (failure is null && journal is not null)
            {
                // At least once: if this record is lost in a crash, the step runs again in the next attempt. A refused
                // mark means another runner took the claim over (its lease expired here): stop, it goes on there.
                if (!await journal.MarkCompensatedAsync(operationId, step.Index).ConfigureAwait(false))
                {
                    throw ClaimedElsewhere(operationId);
                }
            }

            if (failure is not null && stopOnFailure)
            {
                return await StopAsync(operationId, pending, k, durable, parkedEntryId, results, failure).ConfigureAwait(false);
            }
        }

        _parked.TryRemove(operationId, out _);
        if (parkedEntryId is not null)
        {
            _resolvedEntries[parkedEntryId] = true;
        }

        if (journal is not null && !await journal.EndAsync(operationId, completed: false).ConfigureAwait(false))
        {
            throw ClaimedElsewhere(operationId);
        }

        return new CompensationResult(operationId, results, null);
    }

    /// <summary>
    /// Claims the operation's rollback; <see langword="null"/> when the journal no longer holds it (it finished). Throws
    /// when another runner holds the claim. Must hold the operation's lease.
    /// </summary>
    private async ValueTask<CompensationJournalOperation?> ClaimAsync(string operationId)
    {
        var claimed = await _journal!.TryClaimAsync(operationId).ConfigureAwait(false);
        if (claimed is null && await _journal.FindAsync(operationId).ConfigureAwait(false) is not null)
        {
            throw ClaimedElsewhere(operationId);
        }

        return claimed;
    }

    // A step that completes synchronously (the pipeline's task is done) costs no state machine.
    private ValueTask<Exception?> RunStepAsync(CompensationStep step)
    {
        Interlocked.Increment(ref _executed);

        // CancellationToken.None: the operation being undone is usually cancelled already; the step's own timeout bounds it.
        var pending = _stepPipeline.ExecuteOutcomeAsync(static (s, ct) => AsResult(s.InvokeAsync(ct)), step, CancellationToken.None);
        return pending.IsCompletedSuccessfully ? new ValueTask<Exception?>(StepEnded(pending.Result.Exception)) : AwaitStepAsync(pending);
    }

    private async ValueTask<Exception?> AwaitStepAsync(ValueTask<Outcome<bool>> pending) => StepEnded((await pending.ConfigureAwait(false)).Exception);

    private Exception? StepEnded(Exception? failure)
    {
        Interlocked.Increment(ref failure is null ? ref _successful : ref _failed);
        _telemetry.Report("OnCompensationExecuted");
        if (failure is not null)
        {
            _telemetry.Report("OnCompensationFailed");
        }

        return failure;
    }

    // A compensation that completes synchronously costs no state machine.
    private static ValueTask<bool> AsResult(ValueTask pending) => pending.IsCompletedSuccessfully ? new ValueTask<bool>(true) : AwaitAsResult(pending);

    private static async ValueTask<bool> AwaitAsResult(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return true;
    }
}
