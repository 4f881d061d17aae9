using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Resilience;
using Resilience.DeadLetter;
using Resilience.DependencyInjection;

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
            var builder = new ResiliencePipelineBuilder { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(builder, new ResiliencePipelineBuildContext(name, sp));
            return builder.Build();
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
            var builder = new ResiliencePipelineBuilder<TResult> { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System };
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

    private static void AddRegistration<TPipeline>(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (services.Any(d => d.ServiceType == typeof(TPipeline) && d.IsKeyedService && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A {typeof(TPipeline).Name} named '{name}' is already registered.", nameof(name));
        }

        services.TryAddSingleton<ResiliencePipelineProvider>();
        services.AddSingleton(new ResiliencePipelineRegistration(name, typeof(TPipeline)));
    }
}
