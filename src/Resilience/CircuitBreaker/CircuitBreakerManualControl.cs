using Resilience.CircuitBreaker.Internal;

namespace Resilience.CircuitBreaker;

/// <summary>
/// Isolates and closes breakers by hand. Give one instance to the options of several breakers (or pipelines) to
/// control them together; thread-safe.
/// </summary>
public sealed class CircuitBreakerManualControl
{
    private readonly Lock _lock = new();
    private readonly List<CircuitController> _controllers = [];
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

    /// <summary>
    /// Opens every attached breaker until <see cref="CloseAsync"/>: calls are rejected with <see cref="IsolatedCircuitException"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A completed task (the change is immediate).</returns>
    public Task IsolateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var controller in Snapshot(isolated: true))
        {
            controller.Isolate();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Closes every attached breaker and clears its counters, whatever its state.
    /// </summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A completed task (the change is immediate).</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var controller in Snapshot(isolated: false))
        {
            controller.CloseManually();
        }

        return Task.CompletedTask;
    }

    /// <summary>Clears the failure counters and trip count of every attached breaker without changing its state.</summary>
    public void ResetCounters()
    {
        foreach (var controller in Snapshot(isolated: null))
        {
            controller.ResetCounters();
        }
    }

    internal void Attach(CircuitController controller)
    {
        bool isolate;
        lock (_lock)
        {
            _controllers.Add(controller);
            isolate = _isolated;
        }

        if (isolate)
        {
            controller.Isolate();
        }
    }

    private CircuitController[] Snapshot(bool? isolated)
    {
        lock (_lock)
        {
            if (isolated is { } value)
            {
                _isolated = value;
            }

            return [.. _controllers];
        }
    }
}
