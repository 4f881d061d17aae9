using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.DependencyInjection;

/// <summary>
/// Describes the <see cref="RecoveryMonitor"/> that <c>AddRecoveryMonitor</c> registers: its interval and its
/// signals, each mapped to a registered workflow. Signals are created from the container when the host starts; a
/// signal naming an unknown workflow or health check stops the start with a message naming it.
/// </summary>
public sealed class RecoveryMonitorBuilder
{
    private readonly List<Func<IServiceProvider, RecoverySignal>> _signals = [];

    /// <summary>Gets or sets how often the signals are checked.</summary>
    /// <value>The default value is 30 seconds. It must be greater than zero.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    internal IReadOnlyList<Func<IServiceProvider, RecoverySignal>> Signals => _signals;

    /// <summary>Triggers <paramref name="workflowName"/> while the health check registered as <paramref name="healthCheckName"/> is unhealthy.</summary>
    /// <param name="healthCheckName">The name the check was registered with (<c>AddHealthChecks().AddCheck(name, ...)</c>).</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <param name="unhealthyAt"><see cref="HealthStatus.Unhealthy"/> (the default), or <see cref="HealthStatus.Degraded"/> to trigger on degraded too.</param>
    /// <returns>This builder.</returns>
    public RecoveryMonitorBuilder OnHealthCheck(string healthCheckName, string workflowName, HealthStatus unhealthyAt = HealthStatus.Unhealthy)
    {
        ArgumentException.ThrowIfNullOrEmpty(healthCheckName);
        ArgumentException.ThrowIfNullOrEmpty(workflowName);
        _signals.Add(sp =>
        {
            var registration = sp.GetService<IOptions<HealthCheckServiceOptions>>()?.Value.Registrations.FirstOrDefault(r => string.Equals(r.Name, healthCheckName, StringComparison.Ordinal))
                ?? throw new ArgumentException($"The recovery monitor's signal on health check '{healthCheckName}' (workflow '{workflowName}') names no registered health check; register it with AddHealthChecks().AddCheck(\"{healthCheckName}\", ...).", nameof(healthCheckName));
            return new HealthCheckRecoverySignal(registration, sp.GetRequiredService<IServiceScopeFactory>(), workflowName, unhealthyAt);
        });
        return this;
    }

    /// <summary>Triggers <paramref name="workflowName"/> while the named breaker of the container's <see cref="CircuitBreakerRegistry"/> is not closed.</summary>
    /// <param name="breakerName">The breaker's name.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <returns>This builder.</returns>
    public RecoveryMonitorBuilder OnCircuitBreaker(string breakerName, string workflowName)
    {
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        _signals.Add(sp => RecoverySignal.CircuitBreaker(sp.GetRequiredService<CircuitBreakerRegistry>(), breakerName, workflowName));
        return this;
    }

    /// <summary>Triggers <paramref name="workflowName"/> while the container's dead letter queue holds at least <paramref name="pendingThreshold"/> waiting entries.</summary>
    /// <param name="pendingThreshold">The backlog that asks for recovery, at least 1.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <param name="operationType">Only this operation type's backlog, when set.</param>
    /// <returns>This builder.</returns>
    public RecoveryMonitorBuilder OnDeadLetterBacklog(int pendingThreshold, string workflowName, string? operationType = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pendingThreshold);
        _signals.Add(sp => RecoverySignal.DeadLetterBacklog(sp.GetRequiredService<DeadLetterQueue>(), pendingThreshold, workflowName, operationType));
        return this;
    }

    /// <summary>Adds a signal of your own, created from the container.</summary>
    /// <param name="signal">Creates the signal.</param>
    /// <returns>This builder.</returns>
    public RecoveryMonitorBuilder OnSignal(Func<IServiceProvider, RecoverySignal> signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        _signals.Add(signal);
        return this;
    }
}
