using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.Recovery;

namespace Resilience.DependencyInjection;

/// <summary>
/// A recovery signal from an <see cref="IHealthCheck"/>: unhealthy while the check reports
/// <see cref="HealthStatus.Unhealthy"/> (or, when asked, <see cref="HealthStatus.Degraded"/> too). A check that throws
/// counts as its registration's failure status, as in <c>HealthCheckService</c>.
/// </summary>
public sealed class HealthCheckRecoverySignal : RecoverySignal
{
    private readonly HealthCheckRegistration _registration;
    private readonly IServiceScopeFactory? _scopes;
    private readonly HealthStatus _unhealthyAt;

    /// <summary>
    /// Initializes a new instance of the <see cref="HealthCheckRecoverySignal"/> class.
    /// </summary>
    /// <param name="healthCheckName">The check's name (the signal is named <c>health-check:{name}</c>).</param>
    /// <param name="check">The check.</param>
    /// <param name="workflowName">The workflow to trigger.</param>
    /// <param name="unhealthyAt">The worst status still considered healthy is the one above this: <see cref="HealthStatus.Unhealthy"/> (the default) or <see cref="HealthStatus.Degraded"/>.</param>
    public HealthCheckRecoverySignal(string healthCheckName, IHealthCheck check, string workflowName, HealthStatus unhealthyAt = HealthStatus.Unhealthy)
        : this(new HealthCheckRegistration(healthCheckName, check ?? throw new ArgumentNullException(nameof(check)), HealthStatus.Unhealthy, tags: null), scopes: null, workflowName, unhealthyAt)
    {
    }

    // From a registration of the container's health checks: its factory runs in a scope per check, as HealthCheckService does.
    internal HealthCheckRecoverySignal(HealthCheckRegistration registration, IServiceScopeFactory? scopes, string workflowName, HealthStatus unhealthyAt)
        : base("health-check:" + registration.Name, workflowName)
    {
        if (unhealthyAt is not (HealthStatus.Unhealthy or HealthStatus.Degraded))
        {
            throw new ArgumentOutOfRangeException(nameof(unhealthyAt), unhealthyAt, "A health check signal is unhealthy at Unhealthy or at Degraded.");
        }

        _registration = registration;
        _scopes = scopes;
        _unhealthyAt = unhealthyAt;
    }

    /// <inheritdoc/>
    public override async ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken)
    {
        var scope = _scopes?.CreateAsyncScope();
        try
        {
            var check = _registration.Factory(scope?.ServiceProvider!);
            HealthCheckResult result;
            try
            {
                result = await check.CheckHealthAsync(new HealthCheckContext { Registration = _registration }, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A throwing check is a failing check, as HealthCheckService reports it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = new HealthCheckResult(_registration.FailureStatus, ex.Message, ex);
            }

            return result.Status <= _unhealthyAt
                ? RecoverySignalResult.Unhealthy($"health check '{_registration.Name}' is {result.Status}{(result.Description is null ? string.Empty : ": " + result.Description)}")
                : RecoverySignalResult.Healthy;
        }
        finally
        {
            if (scope is { } owned)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
