using System.Threading.RateLimiting;
using Resilience.Internal;
using Resilience.RateLimiting;

namespace Resilience;

/// <summary>
/// Adds rate limiting (any <see cref="RateLimiter"/>) to pipeline builders, with shorthands for the built-in limiters.
/// </summary>
public static class RateLimiterPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a strategy that takes one permit per call from <paramref name="limiter"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="limiter">The limiter (not disposed by the pipeline).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is <see langword="null"/>.</exception>
    public static TBuilder AddRateLimiter<TBuilder>(this TBuilder builder, RateLimiter limiter)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddRateLimiter(new RateLimiterStrategyOptions { RateLimiter = limiter });

    /// <summary>
    /// Adds a rate-limiter strategy.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">The limiter is missing; the message names the option.</exception>
    public static TBuilder AddRateLimiter<TBuilder>(this TBuilder builder, RateLimiterStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddRateLimiter(options, neverQueues: false);

    // A limiter built here with no queue answers at once whichever way it is asked, so the strategy may take the
    // synchronous AttemptAcquire (no task, no token plumbing). One the caller built may queue: it is asked with
    // AcquireAsync, and only that way, so each rejection counts once in the limiter's own statistics.
    private static TBuilder AddRateLimiter<TBuilder>(this TBuilder builder, RateLimiterStrategyOptions options, bool neverQueues)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var limiter = OptionGuard.NotNull(options.RateLimiter, "RateLimiterStrategyOptions.RateLimiter");
        var onRejected = options.OnRejected;
        var name = options.Name;
        builder.AddStrategyCore(context => new RateLimiterStrategy(limiter, neverQueues, releasesByTime: false, onRejected, context.CreateTelemetry(name, RateLimiterConstants.DefaultName, RateLimiterConstants.Events)));
        return builder;
    }

    // Each Build() gets a limiter of its own, owned (and disposed) by that pipeline. One is created and disposed now so
    // that bad arguments fail here, where they were written, not at Build().
    // releasesByTime: the token bucket and the window limiters replenish with time; only the concurrency limiter's
    // lease gives its permit back when disposed.
    private static TBuilder AddOwnLimiter<TBuilder>(this TBuilder builder, Func<RateLimiter> create, int queueLimit, bool releasesByTime)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        create().Dispose();
        var neverQueues = queueLimit == 0;
        builder.AddStrategyCore(context => new RateLimiterStrategy(context.Owned.Add(create()), neverQueues, releasesByTime, onRejected: null, context.CreateTelemetry(null, RateLimiterConstants.DefaultName, RateLimiterConstants.Events)));
        return builder;
    }

    /// <summary>Adds a token-bucket limiter (a new one per built pipeline, disposed with it): <paramref name="tokenLimit"/> burst, refilled by <paramref name="tokensPerPeriod"/> every <paramref name="replenishmentPeriod"/>.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="tokenLimit">The bucket size.</param>
    /// <param name="tokensPerPeriod">Tokens added per period.</param>
    /// <param name="replenishmentPeriod">The refill period.</param>
    /// <param name="queueLimit">How many calls may wait for a token (0: none).</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddTokenBucketLimiter<TBuilder>(this TBuilder builder, int tokenLimit, int tokensPerPeriod, TimeSpan replenishmentPeriod, int queueLimit = 0)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddOwnLimiter(() => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokenLimit,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = replenishmentPeriod,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }), queueLimit, releasesByTime: true);

    /// <summary>Adds a fixed-window limiter (a new one per built pipeline, disposed with it): <paramref name="permitLimit"/> calls per <paramref name="window"/>.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="permitLimit">Calls per window.</param>
    /// <param name="window">The window.</param>
    /// <param name="queueLimit">How many calls may wait for the next window (0: none).</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddFixedWindowLimiter<TBuilder>(this TBuilder builder, int permitLimit, TimeSpan window, int queueLimit = 0)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddOwnLimiter(() => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = window,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }), queueLimit, releasesByTime: true);

    /// <summary>Adds a sliding-window limiter (a new one per built pipeline, disposed with it): <paramref name="permitLimit"/> calls per <paramref name="window"/>, in <paramref name="segmentsPerWindow"/> segments.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="permitLimit">Calls per window.</param>
    /// <param name="window">The window.</param>
    /// <param name="segmentsPerWindow">How finely the window slides.</param>
    /// <param name="queueLimit">How many calls may wait (0: none).</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddSlidingWindowLimiter<TBuilder>(this TBuilder builder, int permitLimit, TimeSpan window, int segmentsPerWindow, int queueLimit = 0)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddOwnLimiter(() => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = window,
            SegmentsPerWindow = segmentsPerWindow,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }), queueLimit, releasesByTime: true);

    /// <summary>Adds a concurrency limiter from <c>System.Threading.RateLimiting</c>, a new one per built pipeline and disposed with it (see also the bulkhead, which adds a queue timeout).</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="permitLimit">Calls at once.</param>
    /// <param name="queueLimit">How many calls may wait (0: none).</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddConcurrencyLimiter<TBuilder>(this TBuilder builder, int permitLimit, int queueLimit = 0)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddOwnLimiter(() => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permitLimit,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }), queueLimit, releasesByTime: false);
}
