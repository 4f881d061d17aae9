using Microsoft.Extensions.Hosting;
using Resilience.Compensation;

namespace Resilience.DependencyInjection;

/// <summary>
/// Resumes the operations a crash interrupted (journaled compensations) when the host starts.
/// </summary>
internal sealed class CompensationRecoveryHostedService : IHostedService
{
    private readonly CompensationManager _manager;
    private readonly bool _recover;

    public CompensationRecoveryHostedService(CompensationManager manager, CompensationRegistration registration)
    {
        _manager = manager;
        _recover = registration.Durable;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _recover ? _manager.RecoverAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Remembers whether the registered manager keeps a journal.</summary>
/// <param name="Durable">Whether a journal directory was configured.</param>
internal sealed record CompensationRegistration(bool Durable);
