namespace Resilience.Compensation.Internal;

/// <summary>
/// The compensations of one operation and where the operation stands: open, completed (nothing to undo), or rolled
/// back. The rollback runs once; concurrent and repeated calls share its task.
/// </summary>
internal sealed class CompensationStack
{
    private const int Open = 0;
    private const int Completed = 1;
    private const int RolledBack = 2;

    private readonly Lock _lock = new();
    private readonly List<CompensationStep> _steps = [];
    private int _state;
    private Task<CompensationResult>? _rollback;

    public string OperationId { get; private set; } = string.Empty;

    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _state == Open;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _state == Completed;
            }
        }
    }

    public void Reset(string operationId)
    {
        lock (_lock)
        {
            OperationId = operationId;
            _steps.Clear();
            _state = Open;
            _rollback = null;
        }
    }

    /// <summary>Adds a step; returns its index (its position from the bottom of the stack).</summary>
    public int Add(CompensationStep step)
    {
        lock (_lock)
        {
            if (_state != Open)
            {
                throw new InvalidOperationException(_state == Completed
                    ? $"Operation '{OperationId}' was completed; no compensation can be registered for it anymore."
                    : $"Operation '{OperationId}' is being (or was) rolled back; no compensation can be registered for it anymore.");
            }

            _steps.Add(step);
            return _steps.Count - 1;
        }
    }

    /// <summary>Marks the operation done; returns false when it was already completed or rolled back.</summary>
    public bool TryComplete()
    {
        lock (_lock)
        {
            if (_state != Open)
            {
                return false;
            }

            _state = Completed;
            _steps.Clear();
            return true;
        }
    }

    /// <summary>Starts the rollback once; returns its task (and whether this call started it).</summary>
    public Task<CompensationResult> Rollback(Func<string, CompensationStep[], Task<CompensationResult>> run, out bool started)
    {
        CompensationStep[] steps;
        TaskCompletionSource<CompensationResult> completion;
        lock (_lock)
        {
            if (_rollback is not null)
            {
                started = false;
                return _rollback;
            }

            if (_state == Completed)
            {
                started = false;
                return _rollback = Task.FromResult(new CompensationResult(OperationId, [], null));
            }

            _state = RolledBack;
            steps = [.. _steps];
            completion = new TaskCompletionSource<CompensationResult>(TaskCreationOptions.RunContinuationsAsynchronously);

            // Published under the lock so every concurrent caller gets this very task; the compensations themselves
            // run outside it.
            _rollback = completion.Task;
        }

        started = true;
        _ = ForwardAsync(run(OperationId, steps), completion);
        return completion.Task;
    }

    private static async Task ForwardAsync(Task<CompensationResult> running, TaskCompletionSource<CompensationResult> completion)
    {
#pragma warning disable CA1031 // Whatever the rollback ends with goes to every caller through the shared task.
        try
        {
            completion.TrySetResult(await running.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            completion.TrySetException(ex);
        }
#pragma warning restore CA1031
    }
}
