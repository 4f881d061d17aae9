using Resilience.CircuitBreaker.Internal;

namespace Resilience.CircuitBreaker;

/// <summary>
/// Isolates and closes breakers by hand. Give one instance to the options of several breakers (or pipelines) to
/// control them together; thread-safe.
/// </summary>
/// <remarks>
/// The control holds its breakers weakly: a pipeline that is no longer used is collected, and detached, as if the
/// control did not know it. Isolating, closing and attaching a new breaker are serialized, so a breaker attached
/// while <see cref="CloseAsync"/> runs ends in the state the last call asked for.
/// </remarks>
public sealed class CircuitBreakerManualControl
{
    private readonly Lock _lock = new();
    private readonly List<WeakReference<CircuitController>> _controllers = [];
    private int _pruneAt = 16;
    private bool _isolated;

    /// <summary>Gets a value indicating whether <see cref="IsolateAsync"/> was called last (new breakers start isolated then).</summary>
    public bool IsIsolated
    {
        get
        {
            lock (_lock)
            {
                return _isolated;
            }
        }
    }

    /// <summary>Gets how many attached breakers are still alive (tests check that dropped pipelines detach).</summary>
    internal int AttachedCount
    {
        get
        {
            lock (_lock)
            {
                return Alive_NeedsLock().Count;
            }
        }
    }

    /// <summary>
    /// Opens every attached breaker until <see cref="CloseAsync"/>: calls are rejected with <see cref="IsolatedCircuitException"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A task that completes when the breakers' <c>OnOpened</c> callbacks have run; it faults if one of them fails.</returns>
    public Task IsolateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Apply(isolated: true);
    }

    /// <summary>
    /// Closes every attached breaker and clears its counters, whatever its state.
    /// </summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A task that completes when the breakers' <c>OnClosed</c> callbacks have run; it faults if one of them fails.</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Apply(isolated: false);
    }

    /// <summary>Clears the failure counters and trip count of every attached breaker without changing its state.</summary>
    public void ResetCounters()
    {
        lock (_lock)
        {
            foreach (var controller in Alive_NeedsLock())
            {
                controller.ResetCounters();
            }
        }
    }

    internal void Attach(CircuitController controller)
    {
        ValueTask raised = default;
        lock (_lock)
        {
            if (_controllers.Count >= _pruneAt)
            {
                _controllers.RemoveAll(static w => !w.TryGetTarget(out _));
                _pruneAt = Math.Max(16, _controllers.Count * 2);
            }

            _controllers.Add(new WeakReference<CircuitController>(controller));

            // Under the lock: a CloseAsync running now either comes before (and this isolates) or after (and closes it).
            if (_isolated)
            {
                raised = controller.Isolate();
            }
        }

        // A synchronous OnOpened failure fails the build that attached the breaker; an asynchronous one runs on.
        if (raised.IsCompleted)
        {
            raised.GetAwaiter().GetResult();
        }
    }

    private Task Apply(bool isolated)
    {
        List<Task>? pending = null;
        lock (_lock)
        {
            _isolated = isolated;
            foreach (var controller in Alive_NeedsLock())
            {
                var raised = isolated ? controller.Isolate() : controller.CloseManually();
                if (!raised.IsCompletedSuccessfully)
                {
                    (pending ??= []).Add(raised.AsTask());
                }
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    // A copy, so a callback run while it is walked (the lock is re-entrant) cannot change the list under the walk.
    private List<CircuitController> Alive_NeedsLock()
    {
        var alive = new List<CircuitController>(_controllers.Count);
        foreach (var weak in _controllers)
        {
            if (weak.TryGetTarget(out var controller))
            {
                alive.Add(controller);
            }
        }

        return alive;
    }
}
