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
    /// Sends the client's requests through a pipeline you configure (built once per client name, with the container's
    /// <see cref="TimeProvider"/>).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddResilienceHandler(this IHttpClientBuilder builder, Action<ResiliencePipelineBuilder<HttpResponseMessage>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var name = builder.Name;
        builder.Services.AddKeyedSingleton<ResiliencePipeline<HttpResponseMessage>>("http:" + name, (sp, _) =>
        {
            var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = name, TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System, LoggerFactory = sp.GetService<ILoggerFactory>(), MeterFactory = sp.GetService<IMeterFactory>() };
            configure(pipeline);
            return pipeline.Build();
        });
        return builder.AddHttpMessageHandler(sp => new ResilienceHandler(sp.GetRequiredKeyedService<ResiliencePipeline<HttpResponseMessage>>("http:" + name)));
    }

    /// <summary>
    /// Sends the client's requests through the standard HTTP pipeline: total timeout → retry (transient failures and
    /// statuses, <c>Retry-After</c>) → circuit breaker → attempt timeout.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adjusts the defaults.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder, Action<HttpStandardResilienceOptions>? configure = null)
    {
        var options = new HttpStandardResilienceOptions();
        configure?.Invoke(options);
        return builder.AddResilienceHandler(pipeline => pipeline
            .AddTimeout(options.TotalTimeout)
            .AddRetry(options.Retry)
            .AddCircuitBreaker(options.CircuitBreaker)
            .AddTimeout(options.AttemptTimeout));
    }
}
