using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Resilience;
using Resilience.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds resilience to clients built by <c>IHttpClientFactory</c>.
/// </summary>
public static class ResilienceHttpClientBuilderExtensions
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
        return builder.AddResilienceHandlerCore(configure, handlerOptions.Validated());
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
        return builder.AddResilienceHandlerCore(
            pipeline => pipeline
                .AddTimeout(options.TotalTimeout)
                .AddRetry(options.Retry)
                .AddCircuitBreaker(options.CircuitBreaker)
                .AddTimeout(options.AttemptTimeout),
            options.Handler.Validated());
    }

    private static IHttpClientBuilder AddResilienceHandlerCore(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>> configure, ResilienceHandlerOptions handlerOptions)
    {
        var name = builder.Name;

        // A key of its own per handler: a second handler on the same client must not resolve the first one's pipeline.
        var key = new PipelineKey(name);
        builder.Services.AddKeyedSingleton<ResiliencePipeline<HttpResponseMessage>>(key, (sp, _) =>
        {
            var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>(), MeterFactory = sp.GetService<IMeterFactory>() };
            configure(pipeline);
            return pipeline.Build();
        });
        return builder.AddHttpMessageHandler(sp => new ResilienceHandler(sp.GetRequiredKeyedService<ResiliencePipeline<HttpResponseMessage>>(key), handlerOptions));
    }

    // Compared by reference: each handler registration is its own key, whatever the client's name.
    private sealed class PipelineKey(string name)
    {
        public override string ToString() => "http:" + name;
    }
}
