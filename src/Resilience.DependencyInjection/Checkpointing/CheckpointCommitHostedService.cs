using Microsoft.Extensions.Hosting;
using Resilience.Checkpointing;

namespace Resilience.DependencyInjection;

/// <summary>
/// Loads the consumer group's offsets when the host starts (resolving the manager opens it, so a corrupted store stops
/// the start) and, on graceful shutdown, stops the automatic commits and commits what the consumers handled since the
/// last one, bounded by the host's shutdown timeout.
/// </summary>
internal sealed class CheckpointCommitHostedService : IHostedService
{
    private readonly CheckpointManager _manager;

    public CheckpointCommitHostedService(CheckpointManager manager) => _manager = manager;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _manager.StopAsync(cancellationToken).AsTask();
}
