using Microsoft.Extensions.DependencyInjection.Extensions;
using Resilience;
using Resilience.DependencyInjection;
using Resilience.Http;
using Resilience.Http.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Attaching a named pipeline registered with <c>AddResiliencePipeline(name, ...)</c> (from code or configuration).
/// </summary>
public static partial class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's requests through the pipeline registered under <paramref name="pipelineName"/>: a
    /// <c>ResiliencePipeline&lt;HttpResponseMessage&gt;</c> of that name, else the untyped one (for example one from
    /// configuration: <c>AddResiliencePipeline("stock-api", configuration.GetSection(...))</c>). Its retry and
    /// breaker from configuration then also count transient responses (408, 429, transient 5xx) as failures, and a
    /// request the handler may not replay is sent once with its first outcome returned.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="pipelineName">The registered pipeline's name.</param>
    /// <param name="configureHandler">Sets what the handler may send more than once; the defaults when <see langword="null"/>.</param>
    /// <returns>The client builder.</returns>
    /// <exception cref="KeyNotFoundException">When the client is created: no pipeline has that name (the message lists the registered ones).</exception>
    public static IHttpClientBuilder AddResilienceHandler(this IHttpClientBuilder builder, string pipelineName, Action<ResilienceHandlerOptions>? configureHandler = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        var handlerOptions = new ResilienceHandlerOptions();
        configureHandler?.Invoke(handlerOptions);
        var validated = handlerOptions.Validated();
        builder.Services.TryAddSingleton(HttpOutcomeRules.ForConfiguredPipelines);

        // The named pipeline is the container's singleton (its breaker state is shared with every other user of it): a
        // pipeline of responses registered under that name, else the untyped one, viewed as a pipeline of responses.
        return builder.AddHttpMessageHandler(sp => new ResilienceHandler(
            sp.GetKeyedService<ResiliencePipeline<HttpResponseMessage>>(pipelineName)
                ?? new ResiliencePipeline<HttpResponseMessage>(new ResiliencePipelineProvider(sp).GetPipeline(pipelineName)),
            validated));
    }
}
