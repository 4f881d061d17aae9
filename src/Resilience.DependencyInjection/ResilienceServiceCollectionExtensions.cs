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
        var validator = new ResiliencePipelineSettingsValidator(name, section.Path);
        services.AddSingleton<IValidateOptions<ResiliencePipelineSettings>>(validator);
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<ResiliencePipelineSettings>>().Get(name);
            var loggerFactory = sp.GetService<ILoggerFactory>();
            var meterFactory = sp.GetService<IMeterFactory>();
            var configured = new ConfiguredPipeline(name, sp.GetService<TimeProvider>() ?? TimeProvider.System, loggerFactory, meterFactory, sp.GetService<CircuitBreakerRegistry>());

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
    /// <param name="configure">Sets the options; the container's <see cref="TimeProvider"/> is used unless you set one.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, Action<DeadLetterQueueOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(sp =>
        {
            var options = new DeadLetterQueueOptions { TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(options);
            return DeadLetterQueue.Open(options);
        });
        services.AddHostedService<DeadLetterQueueHostedService>();
        return services;
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
        var probe = new CompensationOptions();
        configure?.Invoke(probe);
        services.AddSingleton(new CompensationRegistration(probe.JournalDirectory is not null));
        services.AddHostedService<CompensationRecoveryHostedService>();
        return services;
    }

    /// <summary>
    /// Adds health checks for the registered circuit breakers (Degraded while any is not closed) and, when a dead letter
    /// queue is registered, its backlog (Degraded/Unhealthy past the thresholds).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="thresholds">The dead letter backlog thresholds; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddResilienceHealthChecks(this IHealthChecksBuilder builder, DeadLetterHealthThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCircuitBreakerRegistry();
        builder.Services.TryAddSingleton(thresholds ?? new DeadLetterHealthThresholds());
        builder.AddCheck<CircuitBreakerHealthCheck>("resilience-circuit-breakers", HealthStatus.Degraded, ["resilience"]);
        if (builder.Services.Any(d => d.ServiceType == typeof(DeadLetterQueue)))
        {
            builder.AddCheck<DeadLetterQueueHealthCheck>("resilience-dead-letter-queue", HealthStatus.Unhealthy, ["resilience"]);
        }

        return builder;
    }

    /// <summary>
    /// Registers a <see cref="DeadLetterQueue"/> whose options are bound from a configuration section (for example
    /// <c>Resilience:DeadLetter</c> with <c>Directory</c>, <c>Durability</c>, <c>MaxAttempts</c>, <c>RetryBaseDelay</c>, ...),
    /// and its hosted retry processor.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDeadLetterQueue(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var settings = section.Get<DeadLetterQueueSettings>() ?? new DeadLetterQueueSettings();
        return services.AddDeadLetterQueue(settings.ApplyTo);
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
