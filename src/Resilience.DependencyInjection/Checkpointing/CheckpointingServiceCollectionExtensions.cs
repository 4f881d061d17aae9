using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Resilience.Checkpointing;
using Resilience.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers crash-safe consumer checkpoints.
/// </summary>
public static class CheckpointingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="CheckpointManager"/> singleton over a <see cref="FileCheckpointStore"/> (with
    /// <see cref="CheckpointingOptions.Directory"/>), the <see cref="ICheckpointStore"/> registered before, or an
    /// in-memory store; it uses the container's <see cref="TimeProvider"/>, logger factory and meter factory. A hosted
    /// service opens it when the host starts and commits a last time on graceful shutdown.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">At resolution: an option is invalid; the message names it.</exception>
    public static IServiceCollection AddCheckpointing(this IServiceCollection services, Action<CheckpointingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new CheckpointingOptions();
        configure(options);
        if (string.IsNullOrEmpty(options.ConsumerGroup))
        {
            throw new ArgumentException("CheckpointingOptions.ConsumerGroup must be set.", nameof(configure));
        }

        services.TryAddSingleton<ICheckpointStore>(sp => options.Directory is null
            ? new InMemoryCheckpointStore()
            : FileCheckpointStore.Open(new FileCheckpointStoreOptions
            {
                Directory = options.Directory,
                OnCorruption = options.OnCorruption,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            }));
        services.TryAddSingleton(sp => CheckpointManager.OpenAsync(
            sp.GetRequiredService<ICheckpointStore>(),
            new CheckpointManagerOptions
            {
                ConsumerGroup = options.ConsumerGroup,
                AutoCommitInterval = options.AutoCommitInterval,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                MeterFactory = sp.GetService<IMeterFactory>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            }).AsTask().GetAwaiter().GetResult());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CheckpointCommitHostedService>());
        return services;
    }
}
