using Resilience.Hedging;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the hedging strategy to pipeline builders.
/// </summary>
public static class HedgingPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a hedging strategy to a non-generic pipeline.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder AddHedging(this ResiliencePipelineBuilder builder, HedgingStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddHedgingCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a hedging strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder<TResult> AddHedging<TResult>(this ResiliencePipelineBuilder<TResult> builder, HedgingStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddHedgingCore(builder, options);
        return builder;
    }

    private static void AddHedgingCore<TResult>(ResiliencePipelineBuilderBase builder, HedgingStrategyOptions<TResult>? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.InRange(options.MaxHedgedAttempts, 1, HedgingConstants.MaxHedgedAttempts, "HedgingStrategyOptions.MaxHedgedAttempts");
        if (options.Delay < TimeSpan.Zero && options.Delay != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw OptionGuard.OutOfRange("HedgingStrategyOptions.Delay", options.Delay, "must not be negative, except Timeout.InfiniteTimeSpan (fallback mode)");
        }

        OptionGuard.NotNull(options.ShouldHandle, "HedgingStrategyOptions.ShouldHandle");
        var snapshot = new HedgingStrategyOptions<TResult>
        {
            Name = options.Name,
            MaxHedgedAttempts = options.MaxHedgedAttempts,
            Delay = options.Delay,
            DelayGenerator = options.DelayGenerator,
            ActionGenerator = options.ActionGenerator,
            ShouldHandle = options.ShouldHandle,
            OnHedging = options.OnHedging,
        };
        var exceptionsOnly = options.UsesDefaultShouldHandle;
        builder.AddStrategyCore(context => new HedgingStrategy<TResult>(snapshot, exceptionsOnly, context));
    }
}
