using Microsoft.Extensions.Hosting;
using Resilience.Compensation;

namespace Resilience.DependencyInjection;

/// <summary>
/// Resumes the operations a crash interrupted (journaled compensations) when the host starts, in
/// <see cref="StartingAsync"/>: the host runs every StartingAsync before any StartAsync, so recovery is done before
/// the dead letter queue's processor starts dispatching parked rollbacks. (The manager's per-operation lease would
/// keep them from running a step twice anyway; this ordering also keeps them from racing at all.)
/// </summary>
internal sealed class CompensationRecoveryHostedService : IHostedLifecycleService
{
    private readonly CompensationManager _manager;
    private int _recovered;

    // Resolving the manager here also registers its parked-rollback handler on the dead letter queue before the
    // queue's processor starts.
    public CompensationRecoveryHostedService(CompensationManager manager) => _manager = manager;

    public Task StartingAsync(CancellationToken cancellationToken) => RecoverOnceAsync(cancellationToken);

    // A caller that drives hosted services without the lifecycle phases still gets its recovery, once.
    public Task StartAsync(CancellationToken cancellationToken) => RecoverOnceAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task RecoverOnceAsync(CancellationToken cancellationToken)
        => _manager.HasJournal && Interlocked.Exchange(ref _recovered, 1) == 0 ? _manager.RecoverAsync(cancellationToken) : Task.CompletedTask;
}
