using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Internal;
using Resilience.Recovery.Internal;

namespace Resilience.Recovery;

/// <summary>
/// Something a <see cref="RecoveryMonitor"/> checks on every interval, and the workflow it triggers when unhealthy.
/// </summary>
public abstract class RecoverySignal
{
    /// <summary>
    /// Initializes a new instance of the <see cref="RecoverySignal"/> class.
    /// </summary>
    /// <param name="name">The signal's name, for logs and the runs it triggers.</param>
    /// <param name="workflowName">The workflow to trigger when the signal is unhealthy.</param>
    /// <exception cref="ArgumentException">A name is null or empty.</exception>
    protected RecoverySignal(string name, string workflowName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(workflowName);
        Name = name;
        WorkflowName = workflowName;
    }

    /// <summary>Gets the signal's name.</summary>
    public string Name { get; }

    /// <summary>Gets the workflow the signal triggers.</summary>
    public string WorkflowName { get; }

    /// <summary>
    /// A signal unhealthy while the named breaker is open, half-open or isolated (a breaker the registry does not
    /// know is healthy). Pair it with <see cref="RecoveryRunPolicy.BreakerAligned"/> to wait for the break to elapse.
    /// </summary>
    /// <param name="registry">The registry holding the breaker.</param>
    /// <param name="breakerName">The breaker's name.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <returns>The signal, named <c>circuit-breaker:{breakerName}</c>.</returns>
    public static RecoverySignal CircuitBreaker(CircuitBreakerRegistry registry, string breakerName, string workflowName)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        return new CircuitBreakerSignal(registry, breakerName, workflowName);
    }

    /// <summary>
    /// A signal unhealthy while at least <paramref name="pendingThreshold"/> dead letters wait (pending or retrying),
    /// of one operation type or of all.
    /// </summary>
    /// <param name="queue">The dead letter queue.</param>
    /// <param name="pendingThreshold">The backlog that asks for recovery, at least 1.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <param name="operationType">Only this operation type's backlog, when set.</param>
    /// <returns>The signal, named <c>dead-letter-backlog</c> (or <c>dead-letter-backlog:{operationType}</c>).</returns>
    public static RecoverySignal DeadLetterBacklog(DeadLetterQueue queue, int pendingThreshold, string workflowName, string? operationType = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        OptionGuard.InRange(pendingThreshold, 1, int.MaxValue, nameof(pendingThreshold));
        return new DeadLetterBacklogSignal(queue, pendingThreshold, workflowName, operationType);
    }

    /// <summary>A signal from a check of your own.</summary>
    /// <param name="name">The signal's name.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <param name="check">Checks the dependency.</param>
    /// <returns>The signal.</returns>
    public static RecoverySignal FromCheck(string name, string workflowName, Func<CancellationToken, ValueTask<RecoverySignalResult>> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new DelegateSignal(name, workflowName, check);
    }

    /// <summary>Checks the signal.</summary>
    /// <param name="cancellationToken">Cancelled when the monitor stops.</param>
    /// <returns>Whether the signal asks for recovery.</returns>
    public abstract ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken);
}
