using Microsoft.Extensions.DependencyInjection;

namespace Resilience.DependencyInjection;

/// <summary>
/// Resolves the pipelines registered with <c>AddResiliencePipeline</c> by name. Each named pipeline is built once,
/// on first use, and shared (a singleton).
/// </summary>
public sealed class ResiliencePipelineProvider
{
    private readonly IServiceProvider _services;

    /// <summary>
    /// Initializes a new instance of the <see cref="ResiliencePipelineProvider"/> class.
    /// </summary>
    /// <param name="services">The container.</param>
    public ResiliencePipelineProvider(IServiceProvider services) => _services = services;

    /// <summary>
    /// Gets the non-generic pipeline registered under <paramref name="name"/>.
    /// </summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline has that name; the message lists the registered ones.</exception>
    public ResiliencePipeline GetPipeline(string name) => Get<ResiliencePipeline>(name);

    /// <summary>
    /// Gets the result-aware pipeline registered under <paramref name="name"/>.
    /// </summary>
    /// <typeparam name="TResult">The pipeline's result type.</typeparam>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that result type has that name.</exception>
    public ResiliencePipeline<TResult> GetPipeline<TResult>(string name) => Get<ResiliencePipeline<TResult>>(name);

    private T Get<T>(string name)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _services.GetKeyedService<T>(name) ?? throw new KeyNotFoundException(
            $"No {typeof(T).Name} named '{name}' is registered. Registered: {string.Join(", ", _services.GetServices<ResiliencePipelineRegistration>().Select(r => $"'{r.Name}' ({r.PipelineType.Name})"))}.");
    }
}
