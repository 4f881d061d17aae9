using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Resilience.CacheFallback;

namespace Resilience.DependencyInjection;

/// <summary>
/// Adds the cache fallback strategy with the container's cache.
/// </summary>
public static class CacheFallbackBuilderExtensions
{
    /// <summary>
    /// Adds a cache fallback strategy that keeps results in the container's <see cref="HybridCache"/>
    /// (<c>services.AddHybridCache()</c>), or else its <see cref="IMemoryCache"/> (<c>services.AddMemoryCache()</c>),
    /// unless <paramref name="configure"/> sets <see cref="CacheFallbackStrategyOptions{TResult}.Store"/> itself.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The pipeline's build context, from the <c>AddResiliencePipeline</c> callback.</param>
    /// <param name="configure">Sets the other options (staleness, key selector, rules).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No store was set and the container has neither cache.</exception>
    public static ResiliencePipelineBuilder<TResult> AddCacheFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, ResiliencePipelineBuildContext context, Action<CacheFallbackStrategyOptions<TResult>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);
        var options = new CacheFallbackStrategyOptions<TResult>();
        configure?.Invoke(options);
        options.Store ??= context.Services.GetService<HybridCache>() is { } hybrid
            ? CacheFallbackStore.FromHybridCache<TResult>(hybrid)
            : context.Services.GetService<IMemoryCache>() is { } memory
                ? CacheFallbackStore.FromMemoryCache<TResult>(memory)
                : throw new InvalidOperationException(
                    $"The cache fallback of pipeline '{context.Name}' needs a cache: register one with services.AddHybridCache() or services.AddMemoryCache(), or set CacheFallbackStrategyOptions.Store.");
        return builder.AddCacheFallback(options);
    }
}
