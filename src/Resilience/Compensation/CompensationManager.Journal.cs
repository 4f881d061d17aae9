using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.Compensation.Internal;

namespace Resilience.Compensation;

/// <summary>What durable scopes write to the journal: named steps, delegate step markers, completion.</summary>
public sealed partial class CompensationManager
{
    // Durable operations whose scope is still open in this process: recovery and resume leave them to their scope.
    private readonly ConcurrentDictionary<string, bool> _live = new(StringComparer.Ordinal);

    /// <summary>
    /// Tells the manager that the lost steps of an operation (delegate compensations that a restart took with it,
    /// listed in <see cref="CompensationResult.LostSteps"/>) were undone by hand: they are journaled as compensated,
    /// so the next resume of its parked entry (a retry or a replay) goes on with the named steps below them.
    /// </summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="cancellationToken">Cancels waiting for the operation's other runner, if any.</param>
    /// <returns>The steps acknowledged (empty when the operation is unknown or had none).</returns>
    /// <exception cref="ArgumentException"><paramref name="operationId"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">There is no journal.</exception>
    public async Task<IReadOnlyList<int>> AcknowledgeLostStepsAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        var journal = _journal ?? throw new InvalidOperationException("Lost steps exist only with a journal: set CompensationOptions.JournalDirectory or CompensationOptions.JournalFactory.");
        using var lease = await _leases.AcquireAsync(operationId, cancellationToken).ConfigureAwait(false);
        var lost = (await journal.FindAsync(operationId).ConfigureAwait(false))?.LostIndices() ?? [];
        foreach (var index in lost)
        {
            if (!await journal.MarkCompensatedAsync(operationId, index).ConfigureAwait(false))
            {
                throw ClaimedElsewhere(operationId);
            }
        }

        if (_parked.TryGetValue(operationId, out var parked))
        {
            parked.Remaining.RemoveAll(s => s.IsLost);
        }

        return lost;
    }

    internal async ValueTask RegisterDurableAsync<TState>(CompensationStack stack, string handlerName, TState state, JsonTypeInfo<TState> typeInfo, Func<TState, CancellationToken, ValueTask> handler)
    {
        var journal = _journal ?? throw new InvalidOperationException("Named compensations need a journal: set CompensationOptions.JournalDirectory or CompensationOptions.JournalFactory.");
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state, typeInfo);
        if (bytes.Length > CompensationOptions.MaxStateBytes)
        {
            // Refused before anything is registered or written: the caller learns now, not after a restart.
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The state of compensation '{handlerName}' for operation '{stack.OperationId}' is {bytes.Length} bytes serialized; the journal stores at most {CompensationOptions.MaxStateBytes} bytes per step (CompensationOptions.MaxStateBytes). Journal a reference to the data instead."),
                nameof(state));
        }

        var index = stack.Add(CompensationStep.From(state, handler));
        StepRegistered();
        _live[stack.OperationId] = true;

        // Durable before the caller runs the forward step: a crash after this point is compensated on recovery.
        await journal.RegisterStepAsync(stack.OperationId, index, handlerName, bytes).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a delegate step of a durable operation in the journal, blocking until it is durable (the registration is
    /// synchronous), so that after a crash recovery knows a step is there that it cannot run.
    /// </summary>
    internal void DelegateRegistered(string operationId, int index)
    {
        if (_journal is not null && _live.ContainsKey(operationId))
        {
            Wait(_journal.RegisterDelegateStepAsync(operationId, index));
        }
    }

    /// <summary>Journals the completion of a durable operation; a no-op for an operation never journaled.</summary>
    internal ValueTask CompletedAsync(string operationId)
        => _journal is not null && _live.TryRemove(operationId, out _)
            ? EndCompletedAsync(_journal, operationId)
            : default;

    /// <summary>
    /// The synchronous completion of a durable operation blocks on the journal write: returning before it is durable
    /// would let recovery compensate an operation that succeeded.
    /// </summary>
    internal void Completed(string operationId)
    {
        var pending = CompletedAsync(operationId);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The error of a runner whose journal claim another runner holds now (a shared journal's lease expired).</summary>
    private static InvalidOperationException ClaimedElsewhere(string operationId)
        => new($"The rollback of operation '{operationId}' is claimed by another runner (an instance sharing the journal whose claim is still leased, or an earlier attempt in this process); it goes on there, or here once that claim is released or expires.");

    private static async ValueTask EndCompletedAsync(ICompensationJournal journal, string operationId)
    {
        if (!await journal.EndAsync(operationId, completed: true).ConfigureAwait(false))
        {
            // This instance's claim expired while the scope was open and another instance is rolling the operation back.
            throw new InvalidOperationException($"Operation '{operationId}' cannot complete: its claim in the shared compensation journal expired and another instance is rolling it back.");
        }
    }

    // The log's group commit writes on the caller's thread when it is idle and on a pool thread otherwise, and a shared
    // journal's driver continues without the caller's synchronization context, so blocking on them cannot deadlock.
    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
