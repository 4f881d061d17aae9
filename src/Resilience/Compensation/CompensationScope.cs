using System.Text.Json.Serialization.Metadata;
using Resilience.Compensation.Internal;

namespace Resilience.Compensation;

/// <summary>
/// The compensations of one operation in progress: register one after each forward step, call <see cref="Complete"/>
/// when the operation succeeded, and dispose the scope — an uncompleted scope rolls back, last registered first.
/// </summary>
/// <remarks>
/// Register a step's compensation <b>before</b> running the step, so a crash or a timeout in between cannot leave an
/// effect with nothing to undo it; a compensation must therefore accept that its step may never have happened
/// (releasing a reservation that does not exist is a no-op). Scopes are pooled: do not use one after disposing it.
/// A scope becomes durable with its first <see cref="RegisterAsync{TState}"/>; from then on a delegate registration
/// blocks until its mark is journaled (so recovery knows a step is there it cannot run) and <see cref="Complete"/>
/// blocks until the completion is journaled.
/// </remarks>
public sealed class CompensationScope : IAsyncDisposable
{
    private readonly CompensationManager _manager;
    private readonly CompensationStack _stack = new();
    private bool _disposed;

    internal CompensationScope(CompensationManager manager) => _manager = manager;

    /// <summary>Gets the operation this scope belongs to.</summary>
    public string OperationId => _stack.OperationId;

    /// <summary>Registers a synchronous compensation.</summary>
    /// <param name="compensation">Undoes the step.</param>
    /// <exception cref="InvalidOperationException">The scope was completed or is rolling back.</exception>
    public void Register(Action compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        Add(CompensationStep.From(compensation));
    }

    /// <summary>Registers an asynchronous compensation; it gets its own token (with the step timeout), not the operation's.</summary>
    /// <param name="compensation">Undoes the step.</param>
    /// <exception cref="InvalidOperationException">The scope was completed or is rolling back.</exception>
    public void Register(Func<CancellationToken, ValueTask> compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        Add(CompensationStep.From(compensation));
    }

    /// <summary>Registers an asynchronous compensation with a state argument, so it can be a <see langword="static"/> lambda.</summary>
    /// <typeparam name="TState">The state type (a value type is boxed once).</typeparam>
    /// <param name="state">The state passed to <paramref name="compensation"/>.</param>
    /// <param name="compensation">Undoes the step.</param>
    /// <exception cref="InvalidOperationException">The scope was completed or is rolling back.</exception>
    public void Register<TState>(TState state, Func<TState, CancellationToken, ValueTask> compensation)
    {
        ArgumentNullException.ThrowIfNull(compensation);
        Add(CompensationStep.From(state, compensation));
    }

    /// <summary>
    /// Registers a named compensation (durable mode): the state is journaled — durable before this returns — so a
    /// crash before the operation completes is compensated by <see cref="CompensationManager.RecoverAsync"/>.
    /// </summary>
    /// <typeparam name="TState">The handler's state type.</typeparam>
    /// <param name="handlerName">A handler registered with <see cref="CompensationManager.RegisterHandler{TState}"/>.</param>
    /// <param name="state">The state the handler needs to undo the step.</param>
    /// <returns>A task that completes when the registration is durable.</returns>
    /// <exception cref="InvalidOperationException">No such handler (or another state type), no journal, or the scope was completed or is rolling back.</exception>
    public ValueTask RegisterAsync<TState>(string handlerName, TState state)
    {
        ArgumentException.ThrowIfNullOrEmpty(handlerName);
        var (typeInfo, handler) = _manager.FindHandler<TState>(handlerName);
        return _manager.RegisterDurableAsync(_stack, handlerName, state, typeInfo, handler);
    }

    /// <summary>
    /// Marks the operation successful and, in durable mode, records that durably, so recovery never compensates it.
    /// Prefer this in durable scopes: it awaits the journal write instead of blocking on it.
    /// </summary>
    /// <returns>A task that completes when the completion is durable.</returns>
    /// <exception cref="InvalidOperationException">The scope is rolling back (or rolled back) already.</exception>
    public ValueTask CompleteAsync() => MarkCompleted() ? _manager.CompletedAsync(OperationId) : default;

    /// <summary>
    /// Marks the operation successful: its compensations are dropped and disposing does nothing. In a durable scope
    /// (one that registered a named step) this blocks until the completion is journaled, so that once it returns,
    /// recovery never compensates the operation; <see cref="CompleteAsync"/> does the same without blocking.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scope is rolling back (or rolled back) already.</exception>
    public void Complete()
    {
        if (MarkCompleted())
        {
            _manager.Completed(OperationId);
        }
    }

    /// <summary>Rolls back now: runs the compensations last registered first, each once. Repeated calls return the same task.</summary>
    /// <returns>The rollback's result.</returns>
    public Task<CompensationResult> CompensateAsync() => _manager.Rollback(_stack);

    /// <summary>Rolls back if the scope was not completed, then returns the scope to the pool.</summary>
    /// <returns>A task that completes when the rollback (if any) is done.</returns>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return default;
        }

        _disposed = true;
        if (_stack.IsCompleted)
        {
            _manager.ReturnScope(this);
            return default;
        }

        return RollBackThenReturnAsync();
    }

    internal void Reset(string operationId)
    {
        _stack.Reset(operationId);
        _disposed = false;
    }

    private async ValueTask RollBackThenReturnAsync()
    {
        await CompensateAsync().ConfigureAwait(false);
        _manager.ReturnScope(this);
    }

    /// <summary>Marks the stack completed; returns whether this call did (so the completion is recorded once).</summary>
    private bool MarkCompleted()
    {
        if (_stack.TryComplete())
        {
            _manager.OperationEnded();
            return true;
        }

        if (!_stack.IsCompleted)
        {
            throw new InvalidOperationException($"Operation '{OperationId}' is being (or was) rolled back; it cannot be completed.");
        }

        return false;
    }

    private void Add(CompensationStep step)
    {
        var index = _stack.Add(step);
        _manager.StepRegistered();

        // In a durable scope, even a delegate step leaves a mark, so recovery knows there is a step it cannot run.
        _manager.DelegateRegistered(OperationId, index);
    }
}
