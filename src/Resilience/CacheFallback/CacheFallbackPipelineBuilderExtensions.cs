using Resilience.CacheFallback;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the cache fallback strategy (serve the last good result when a call fails) to pipeline builders.
/// </summary>
public static class CacheFallbackPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a cache fallback strategy: every good result is stored under the call's key, and a handled failure is
    /// replaced by the stored result while it is younger than <see cref="CacheFallbackStrategyOptions{TResult}.MaxStaleness"/>.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="CacheFallbackStrategyOptions{TResult}.MaxStaleness"/> is not positive or above 365 days.</exception>
    public static ResiliencePipelineBuilder<TResult> AddCacheFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, CacheFallbackStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        const string Name = "CacheFallbackStrategyOptions";
        var store = OptionGuard.NotNull(options.Store, Name + ".Store");
        OptionGuard.NotNull(options.ShouldHandle, Name + ".ShouldHandle");
        OptionGuard.NotNull(options.KeySelector, Name + ".KeySelector");
        OptionGuard.NotNull(options.KeyPrefix, Name + ".KeyPrefix");
        OptionGuard.Positive(options.MaxStaleness, Name + ".MaxStaleness");
        if (options.MaxStaleness > CacheFallbackConstants.MaxStaleness)
        {
            throw OptionGuard.OutOfRange(Name + ".MaxStaleness", options.MaxStaleness, "must be at most 365 days");
        }

        var copy = new CacheFallbackStrategyOptions<TResult>
        {
            Name = options.Name,
            Store = store,
            KeySelector = options.KeySelector,
            KeyPrefix = options.KeyPrefix,
            MaxStaleness = options.MaxStaleness,
            ShouldHandle = options.ShouldHandle,
            ShouldStore = options.ShouldStore,
            OnServedFromCache = options.OnServedFromCache,
        };
        builder.AddStrategyCore(context => new CacheFallbackStrategy<TResult>(
            copy,
            store,
            context.TimeProvider,
            context.CreateTelemetry(copy.Name, CacheFallbackConstants.DefaultName, CacheFallbackConstants.Events)));
        return builder;
    }
}
