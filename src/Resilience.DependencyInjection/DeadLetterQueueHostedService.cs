using Microsoft.Extensions.Hosting;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection;

/// <summary>
/// Opens the dead letter queue when the host starts and runs its retry processor; on shutdown stops dispatching,
/// waits for running attempts (bounded by the host's shutdown timeout) and leaves the queue to the container to flush.
/// </summary>
internal sealed class DeadLetterQueueHostedService : IHostedService
{
    private readonly DeadLetterQueue _queue;

    public DeadLetterQueueHostedService(DeadLetterQueue queue) => _queue = queue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _queue.Processor.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _queue.Processor.StopAsync(cancellationToken);
}
