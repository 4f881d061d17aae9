using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Resilience;
using Resilience.DependencyInjection;
using Resilience.Http;
using Resilience.Http.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds resilience to clients built by <c>IHttpClientFactory</c>.
/// </summary>
public static partial class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's requests through a pipeline you configure, built once per call of this method (so two
    /// handlers on one client each run their own pipeline) with the container's <see cref="TimeProvider"/>, logger
    /// factory and meter factory. The container disposes it.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddResilienceHandler(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>> configure)
        => builder.AddResilienceHandler(configure, static _ => { });

    /// <summary>
    /// Sends the client's requests through a pipeline you configure, with replay rules of your own (see
    /// <see cref="ResilienceHandlerOptions"/>).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <param name="configureHandler">Sets what the handler may send more than once.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddResilienceHandler(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>> configure, Action<ResilienceHandlerOptions> configureHandler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(configureHandler);
        var handlerOptions = new ResilienceHandlerOptions();
        configureHandler(handlerOptions);
        return builder.AddResilienceHandlerCore((pipeline, _) => configure(pipeline), handlerOptions.Validated());
    }

    /// <summary>
    /// Sends the client's requests through a pipeline you configure with the container at hand (to resolve options,
    /// shared breakers or budgets), built once per call of this method. The container disposes it.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adds the strategies; receives the container.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddResilienceHandler(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddResilienceHandlerCore(configure, new ResilienceHandlerOptions().Validated());
    }

    /// <summary>
    /// Sends the client's requests through the standard HTTP pipeline: total timeout → retry (transient failures and
    /// statuses, <c>Retry-After</c>, only requests that may be replayed) → circuit breaker → attempt timeout.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adjusts the defaults.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder, Action<HttpStandardResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new HttpStandardResilienceOptions();
        configure?.Invoke(options);

        // Whatever rule was set, a request the handler may not replay is never retried: its first outcome is final.
        options.Retry.ShouldHandle = HttpRetryPredicates.OnlyReplayable(options.Retry.ShouldHandle);

        // The breaker is a shared one in the container's registry, so the health check and dashboards list it.
        builder.Services.AddCircuitBreakerRegistry();
        var clientName = builder.Name;
        return builder.AddResilienceHandlerCore(
            (pipeline, sp) => pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(options.Retry)
                .AddCircuitBreaker(HttpBreakers.Register(options.CircuitBreaker.Name ?? clientName, clientName, options.CircuitBreaker, sp))
                .AddTimeout(options.AttemptTimeout),
            options.Handler.Validated(),
            listBreakers: true);
    }

    private static IHttpClientBuilder AddResilienceHandlerCore(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>, IServiceProvider> configure, ResilienceHandlerOptions handlerOptions, bool listBreakers = false)
    {
        var name = builder.Name;

        // A key of its own per handler: a second handler on the same client must not resolve the first one's pipeline.
        var key = new PipelineKey(name);
        builder.Services.AddKeyedSingleton<ResiliencePipeline<HttpResponseMessage>>(key, (sp, _) =>
        {
            var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>(), MeterFactory = sp.GetService<IMeterFactory>() };
            configure(pipeline, sp);
            return pipeline.Build();
        });
        if (listBreakers)
        {
            // Built by the health check before it reports, so the breaker is listed before the client's first request.
            builder.Services.AddSingleton(new CircuitBreakerSource(sp => sp.GetKeyedService<ResiliencePipeline<HttpResponseMessage>>(key)));
        }

        return builder.AddHttpMessageHandler(sp => new ResilienceHandler(sp.GetRequiredKeyedService<ResiliencePipeline<HttpResponseMessage>>(key), handlerOptions));
    }

    // Compared by reference: each handler registration is its own key, whatever the client's name.
    private sealed class PipelineKey(string name)
    {
        public override string ToString() => "http:" + name;
    }
}
