using Resilience.Internal;
using Resilience.Timeout;

namespace Resilience;

/// <summary>
/// Adds the timeout strategy to pipeline builders.
/// </summary>
public static class TimeoutPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a timeout strategy with a fixed timeout.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="timeout">The timeout; greater than zero and at most 1 day.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not a valid timeout.</exception>
    public static TBuilder AddTimeout<TBuilder>(this TBuilder builder, TimeSpan timeout)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddTimeout(new TimeoutStrategyOptions { Timeout = timeout });

    /// <summary>
    /// Adds a timeout strategy.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; they are validated and copied now, so later changes have no effect.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static TBuilder AddTimeout<TBuilder>(this TBuilder builder, TimeoutStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TimeoutGenerator is null)
        {
            OptionGuard.Positive(options.Timeout, "TimeoutStrategyOptions.Timeout");
            OptionGuard.AtMostMaxDuration(options.Timeout, "TimeoutStrategyOptions.Timeout");
        }

        var snapshot = new TimeoutStrategyOptions
        {
            Name = options.Name,
            Timeout = options.Timeout,
            TimeoutGenerator = options.TimeoutGenerator,
            OnTimeout = options.OnTimeout,
        };
        builder.AddStrategyCore(context => new TimeoutStrategy(snapshot, context));
        return builder;
    }
}
