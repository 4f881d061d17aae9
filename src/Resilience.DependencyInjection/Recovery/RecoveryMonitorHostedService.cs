using Microsoft.Extensions.Hosting;
using Resilience.Recovery;

namespace Resilience.DependencyInjection;

/// <summary>
/// Starts the recovery monitor with the host; on shutdown stops checking, cancels the runs it started (their completed
/// steps are compensated) and waits for them, bounded by the host's shutdown timeout.
/// </summary>
internal sealed class RecoveryMonitorHostedService : IHostedService
{
    private readonly RecoveryMonitor _monitor;

    public RecoveryMonitorHostedService(RecoveryMonitor monitor) => _monitor = monitor;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _monitor.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _monitor.StopAsync(cancellationToken);
}
