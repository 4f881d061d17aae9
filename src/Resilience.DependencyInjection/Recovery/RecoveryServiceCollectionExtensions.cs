using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resilience.DependencyInjection;
using Resilience.Recovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers recovery workflows and the monitor that triggers them.
/// </summary>
public static class RecoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers a named recovery workflow as a keyed singleton (<c>[FromKeyedServices("api-failure")] RecoveryWorkflow</c>),
    /// built with the container's <see cref="TimeProvider"/>, logger and meter factories and its shared
    /// <see cref="RecoveryHistory"/>. Every workflow is built, and its options validated, when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The workflow's name (also its key).</param>
    /// <param name="configure">Adds the steps.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddRecoveryWorkflow(this IServiceCollection services, string name, Action<RecoveryWorkflowBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddRecoveryWorkflow(name, (builder, _) => configure(builder));
    }

    /// <summary>
    /// Registers a named recovery workflow whose steps use services (a breaker registry, the dead letter queue, an
    /// HTTP client), as <see cref="AddRecoveryWorkflow(IServiceCollection, string, Action{RecoveryWorkflowBuilder})"/> does.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The workflow's name (also its key).</param>
    /// <param name="configure">Adds the steps, given the container.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddRecoveryWorkflow(this IServiceCollection services, string name, Action<RecoveryWorkflowBuilder, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(RecoveryWorkflow) && d.IsKeyedService && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A recovery workflow named '{name}' is already registered.", nameof(name));
        }

        services.TryAddSingleton(_ => new RecoveryHistory());
        services.AddSingleton(new RecoveryWorkflowRegistration(name));
        AddStartupValidation(services);
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var builder = new RecoveryWorkflowBuilder(name)
            {
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                MeterFactory = sp.GetService<IMeterFactory>(),
                History = sp.GetRequiredService<RecoveryHistory>(),
            };
            configure(builder, sp);
            return builder.Build();
        });
        return services;
    }

    /// <summary>
    /// Keeps the recovery workflows' shared <see cref="RecoveryHistory"/> in <paramref name="directory"/>, so the runs
    /// (and the run policies that count them) survive a restart; without it the history is in memory only. Opened on
    /// first use with the container's <see cref="TimeProvider"/>, closed when the container is disposed. Call it before
    /// or after the workflows are added.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="directory">A directory of the history's own.</param>
    /// <param name="capacityPerWorkflow">How many runs each workflow keeps, from 1 to 100,000.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityPerWorkflow"/> is out of range.</exception>
    public static IServiceCollection AddPersistedRecoveryHistory(this IServiceCollection services, string directory, int capacityPerWorkflow = RecoveryHistory.DefaultCapacityPerWorkflow)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityPerWorkflow, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacityPerWorkflow, 100_000);
        services.Replace(ServiceDescriptor.Singleton(sp => RecoveryHistory.Open(directory, capacityPerWorkflow, sp.GetService<TimeProvider>())));
        return services;
    }

    /// <summary>
    /// Registers a <see cref="RecoveryMonitor"/> singleton over every registered workflow, and a hosted service that
    /// starts it with the host and stops it on shutdown (cancelling the runs it started). Its signals are checked on the
    /// interval of the container's <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the interval and maps signals to workflows.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">A monitor is already registered.</exception>
    public static IServiceCollection AddRecoveryMonitor(this IServiceCollection services, Action<RecoveryMonitorBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(RecoveryMonitorRegistration)))
        {
            throw new InvalidOperationException("A recovery monitor is already registered; map every signal in one AddRecoveryMonitor call.");
        }

        var described = new RecoveryMonitorBuilder();
        configure(described);
        services.AddSingleton(new RecoveryMonitorRegistration());
        AddStartupValidation(services);
        services.AddSingleton(sp =>
        {
            var options = new RecoveryMonitorOptions
            {
                Interval = described.Interval,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            };
            foreach (var signal in described.Signals)
            {
                options.Signals.Add(signal(sp));
            }

            var workflows = sp.GetServices<RecoveryWorkflowRegistration>().Select(r => sp.GetRequiredKeyedService<RecoveryWorkflow>(r.Name));
            return new RecoveryMonitor(workflows, options);
        });
        services.AddHostedService<RecoveryMonitorHostedService>();
        return services;
    }

    private static void AddStartupValidation(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<RecoveryStartupCheck>)))
        {
            return;
        }

        services.AddOptions<RecoveryStartupCheck>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<RecoveryStartupCheck>>(sp => new RecoveryStartupValidator(sp));
    }
}
