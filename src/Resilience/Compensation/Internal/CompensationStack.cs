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
    private TaskCompletionSource<CompensationResult>? _following;

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
            _following = null;
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
    /// <remarks>
    /// The run gets the stack's own step list, not a copy: once rolled back the list is frozen (registration and
    /// completion refuse, and only <see cref="Reset"/> clears it, which a pooled scope reaches after awaiting this
    /// rollback). A run that completed synchronously is itself the shared task (no continuation can run on a thread it
    /// did not choose); one still running is followed by a task source that runs continuations asynchronously, and so is
    /// a concurrent caller that arrives before the run returned its task.
    /// </remarks>
    public Task<CompensationResult> Rollback(Func<string, List<CompensationStep>, Task<CompensationResult>> run, out bool started)
    {
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

            if (_state == RolledBack)
            {
                // Started on another thread whose run has not returned yet: published now, completed by the starter.
                started = false;
                _following = new TaskCompletionSource<CompensationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                return _rollback = _following.Task;
            }

            _state = RolledBack;
        }

        started = true;
        Task<CompensationResult> running;
#pragma warning disable CA1031 // Whatever the rollback ends with goes to every caller through the shared task.
        try
        {
            running = run(OperationId, _steps);
        }
        catch (Exception ex)
        {
            running = Task.FromException<CompensationResult>(ex);
        }
#pragma warning restore CA1031

        TaskCompletionSource<CompensationResult> completion;
        lock (_lock)
        {
            if (_rollback is null)
            {
                if (running.IsCompleted)
                {
                    return _rollback = running;
                }

                completion = new TaskCompletionSource<CompensationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _rollback = completion.Task;
            }
            else
            {
                completion = _following!;
            }
        }

        _ = ForwardAsync(running, completion);
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
