using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Resilience;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.DependencyInjection;
using Resilience.DependencyInjection.Configuration;
using Resilience.Internal;
using Resilience.Telemetry;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers resilience pipelines and the dead letter queue in a service collection.
/// </summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers a named pipeline, built once on first use with the container's <see cref="TimeProvider"/> (when one is
    /// registered). Resolve it with <c>[FromKeyedServices("name")] ResiliencePipeline</c> or <see cref="ResiliencePipelineProvider"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline's name (also its key).</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public static IServiceCollection AddResiliencePipeline(this IServiceCollection services, string name, Action<ResiliencePipelineBuilder, ResiliencePipelineBuildContext> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddRegistration<ResiliencePipeline>(services, name);
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var builder = new ResiliencePipelineBuilder { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>(), MeterFactory = sp.GetService<IMeterFactory>() };
            configure(builder, new ResiliencePipelineBuildContext(name, sp));
            return builder.Build();
        });
        return services;
    }

    /// <summary>
    /// Registers a named pipeline described by a configuration section (see <see cref="ResiliencePipelineSettings"/> for
    /// the shape). The settings are validated when the host starts, with messages naming the path of the bad key; a
    /// configuration change rebuilds the pipeline and keeps its circuit breaker's state and its bulkhead's counters
    /// (unless their own settings changed). An invalid change is ignored and logged as a warning (event id 10, with the
    /// path of each bad key): the previous pipeline stays.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline's name (also its key).</param>
    /// <param name="section">The section, for example <c>configuration.GetSection("Resilience:Pipelines:orders-api")</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddResiliencePipeline(this IServiceCollection services, string name, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        AddRegistration<ResiliencePipeline>(services, name);

        // Bound by a configure step, not Bind(section): that would also register a change-token source, and the
        // options monitor would then throw an invalid reload into the configuration's reload call. Reloads are
        // handled (validated and logged) by ConfiguredPipelineReloader instead.
        services.AddOptions<ResiliencePipelineSettings>(name).Configure(settings => section.Bind(settings)).ValidateOnStart();
        var validator = new ResiliencePipelineSettingsValidator(name, section);
        services.AddSingleton<IValidateOptions<ResiliencePipelineSettings>>(validator);

        // Its breaker is listed by the health check from the start, not only once the pipeline was first resolved.
        services.AddSingleton(new CircuitBreakerSource(sp => sp.GetKeyedService<ResiliencePipeline>(name)));
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<ResiliencePipelineSettings>>().Get(name);
            var loggerFactory = sp.GetService<ILoggerFactory>();
            var meterFactory = sp.GetService<IMeterFactory>();
            var configured = new ConfiguredPipeline(name, sp.GetService<TimeProvider>() ?? TimeProvider.System, loggerFactory, meterFactory, sp.GetService<CircuitBreakerRegistry>(), sp.GetService<ConfiguredOutcomeRules>());

            // One chain for the pipeline's lifetime; a configuration change swaps its strategies atomically and calls
            // in flight finish on the strategies they started with. Disposing the pipeline ends the subscription.
            var chain = new StrategyChain([]);
            chain.ReplaceWith(configured.Build(settings));
            chain.ReloadSubscription = new ConfiguredPipelineReloader(name, section, configured, validator, loggerFactory?.CreateLogger(ResilienceTelemetryNames.Meter), chain).Subscribe();
            var instruments = meterFactory is null ? ResilienceInstruments.Shared : ResilienceInstruments.For(meterFactory.Create(ResilienceTelemetryNames.Meter));
            return new ResiliencePipeline(chain, name, instruments);
        });
        return services;
    }

    /// <summary>
    /// Registers a named result-aware pipeline, built once on first use. Resolve it with
    /// <c>[FromKeyedServices("name")] ResiliencePipeline&lt;TResult&gt;</c> or <see cref="ResiliencePipelineProvider"/>.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The pipeline's name (also its key).</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered for this result type.</exception>
    public static IServiceCollection AddResiliencePipeline<TResult>(this IServiceCollection services, string name, Action<ResiliencePipelineBuilder<TResult>, ResiliencePipelineBuildContext> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddRegistration<ResiliencePipeline<TResult>>(services, name);
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var builder = new ResiliencePipelineBuilder<TResult> { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>(), MeterFactory = sp.GetService<IMeterFactory>() };
            configure(builder, new ResiliencePipelineBuildContext(name, sp));
            return builder.Build();
        });
        return services;
    }

    /// <summary>
    /// Registers a <see cref="DeadLetterQueue"/> singleton (its directory is opened when it is first resolved, at the
    /// latest when the host starts) and a hosted service that runs its retry processor and stops it gracefully.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; the container's <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> are used unless you set others.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, Action<DeadLetterQueueOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddDeadLetterQueueCore(configure, configureQueue: null);
    }

    /// <summary>
    /// Registers a <see cref="DeadLetterQueue"/> singleton and its hosted retry processor, and registers the queue's
    /// handlers (<see cref="DeadLetterQueue.RegisterHandler(string, Func{DeadLetterAttempt, CancellationToken, ValueTask})"/>)
    /// in <paramref name="configureQueue"/> when the queue is created, before the processor starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; the container's <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> are used unless you set others.</param>
    /// <param name="configureQueue">Registers the handlers, with the container to resolve what they need.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, Action<DeadLetterQueueOptions> configure, Action<DeadLetterQueue, IServiceProvider> configureQueue)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(configureQueue);
        return services.AddDeadLetterQueueCore(configure, configureQueue);
    }

    /// <summary>
    /// Registers a <see cref="CircuitBreakerRegistry"/> singleton (named breakers shared by pipelines; resolve it in a
    /// pipeline's configure callback through <see cref="ResiliencePipelineBuildContext.Services"/>), using the
    /// container's <see cref="TimeProvider"/>, logger factory and meter factory for the breakers it creates.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCircuitBreakerRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new CircuitBreakerRegistry(sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>
    /// Registers a named <see cref="SharedBulkhead"/> as a keyed singleton (using the container's <see cref="TimeProvider"/>),
    /// for pipelines to share: <c>builder.AddBulkhead(ctx.Services.GetRequiredKeyedService&lt;SharedBulkhead&gt;("db"))</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The bulkhead's name (also its key).</param>
    /// <param name="options">The options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSharedBulkhead(this IServiceCollection services, string name, BulkheadStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        services.AddKeyedSingleton(name, (sp, _) => new SharedBulkhead(name, options, sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers a named <see cref="RetryBudget"/> as a keyed singleton, for the retry strategies of several pipelines to share.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The budget's key.</param>
    /// <param name="budget">Creates the budget; the AWS-style defaults when <see langword="null"/>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRetryBudget(this IServiceCollection services, string name, Func<RetryBudget>? budget = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        services.AddKeyedSingleton(name, (_, _) => budget?.Invoke() ?? new RetryBudget());
        return services;
    }

    /// <summary>
    /// Registers a <see cref="CompensationManager"/> singleton; with a journal directory, a hosted service resumes the
    /// operations a crash interrupted when the host starts (register the named handlers in <paramref name="configureManager"/>).
    /// Recovery runs in the host's starting phase, before any hosted service's StartAsync, so it finishes before the
    /// dead letter queue's processor resumes parked rollbacks.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; the container's <see cref="TimeProvider"/> and dead letter queue (if registered) are used unless you set them.</param>
    /// <param name="configureManager">Registers named handlers on the new manager.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCompensationManager(this IServiceCollection services, Action<CompensationOptions>? configure = null, Action<CompensationManager, IServiceProvider>? configureManager = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new CompensationOptions
            {
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                DeadLetterQueue = sp.GetService<DeadLetterQueue>(),
            };
            configure?.Invoke(options);
            var manager = new CompensationManager(options);
            configureManager?.Invoke(manager, sp);
            return manager;
        });
        // The hosted service asks the manager whether it keeps a journal: configure runs once, in the factory above.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CompensationRecoveryHostedService>());
        return services;
    }

    /// <summary>
    /// Adds health checks for the registered circuit breakers (Degraded while any is open, half-open or isolated; the
    /// breakers of pipelines from configuration are listed from the start) and, when a dead letter queue is registered
    /// (before or after this call), its backlog (Degraded/Unhealthy past the thresholds).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="thresholds">The dead letter backlog thresholds; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddResilienceHealthChecks(this IHealthChecksBuilder builder, DeadLetterHealthThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCircuitBreakerRegistry();
        builder.Services.TryAddSingleton(thresholds ?? new DeadLetterHealthThresholds());
        builder.Services.TryAddSingleton<CircuitBreakerSources>();
        builder.Add(new HealthCheckRegistration(
            "resilience-circuit-breakers",
            static sp => new CircuitBreakerHealthCheck(sp.GetRequiredService<CircuitBreakerRegistry>(), sp.GetRequiredService<CircuitBreakerSources>()),
            HealthStatus.Degraded,
            ["resilience"]));

        // Decided when the options are read, not now: the queue may be registered after this call.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HealthCheckServiceOptions>, DeadLetterHealthCheckRegistration>());
        return builder;
    }

    /// <summary>
    /// Registers a <see cref="DeadLetterQueue"/> whose options are bound from a configuration section (for example
    /// <c>Resilience:DeadLetter</c>; keys: see <see cref="DeadLetterQueueSettings"/>), and its hosted retry processor.
    /// An unknown key, a value that does not parse and an invalid value fail when the queue is created (at the latest
    /// when the host starts) with an <see cref="OptionsValidationException"/> naming the path of each bad key.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddDeadLetterQueueCore(options => ConfigureFrom(section, options), configureQueue: null);
    }

    /// <summary>
    /// Registers a <see cref="DeadLetterQueue"/> whose options are bound from a configuration section, its hosted retry
    /// processor, and registers the queue's handlers in <paramref name="configureQueue"/> before the processor starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section.</param>
    /// <param name="configureQueue">Registers the handlers, with the container to resolve what they need.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, IConfigurationSection section, Action<DeadLetterQueue, IServiceProvider> configureQueue)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(configureQueue);
        return services.AddDeadLetterQueueCore(options => ConfigureFrom(section, options), configureQueue);
    }

    private static IServiceCollection AddDeadLetterQueueCore(this IServiceCollection services, Action<DeadLetterQueueOptions> configure, Action<DeadLetterQueue, IServiceProvider>? configureQueue)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new DeadLetterQueueOptions { TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>() };
            configure(options);
            var queue = DeadLetterQueue.Open(options);
            configureQueue?.Invoke(queue, sp);
            return queue;
        });
        services.AddHostedService<DeadLetterQueueHostedService>();
        return services;
    }

    // Every problem of the section at once, each with its key's path, before any directory is opened.
    private static void ConfigureFrom(IConfigurationSection section, DeadLetterQueueOptions options)
    {
        var failures = new List<string>();
        SettingsKeys.DeadLetterQueue.CheckUnder(section, failures);
        try
        {
            (section.Get<DeadLetterQueueSettings>() ?? new DeadLetterQueueSettings()).ApplyTo(options);
        }
        catch (InvalidOperationException ex)
        {
            // A value that does not parse; the binder's message names the key.
            failures.Add($"{section.Path}: {ex.Message}");
        }

        if (DeadLetterQueueSettings.Validate(options) is { } invalid)
        {
            failures.Add($"{section.Path}:{invalid.ParamName?.Replace("DeadLetterQueueOptions.", string.Empty, StringComparison.Ordinal)}: {invalid.Message}");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(DeadLetterQueueSettings), failures);
        }
    }

    private static void AddRegistration<TPipeline>(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (services.Any(d => d.ServiceType == typeof(TPipeline) && d.IsKeyedService && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A {typeof(TPipeline).Name} named '{name}' is already registered.", nameof(name));
        }

        services.TryAddSingleton<ResiliencePipelineProvider>();
        services.AddChaosSwitch();
        services.AddSingleton(new ResiliencePipelineRegistration(name, typeof(TPipeline)));
    }
}
