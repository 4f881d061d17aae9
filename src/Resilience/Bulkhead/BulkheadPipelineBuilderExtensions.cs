using Resilience.Bulkhead;
using Resilience.Bulkhead.Internal;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the bulkhead to pipeline builders.
/// </summary>
public static class BulkheadPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a bulkhead with <paramref name="maxConcurrency"/> slots and no queue.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="maxConcurrency">How many calls may run at once.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddBulkhead<TBuilder>(this TBuilder builder, int maxConcurrency)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = maxConcurrency });

    /// <summary>
    /// Adds a bulkhead. Each built pipeline gets its own slots; to share slots between pipelines add a
    /// <see cref="SharedBulkhead"/> instead.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    public static TBuilder AddBulkhead<TBuilder>(this TBuilder builder, BulkheadStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var (name, max, queue, timeout, onRejected) = (options.Name, options.MaxConcurrency, options.MaxQueueLength, options.QueueTimeout, options.OnRejected);
        builder.AddStrategyCore(context => new BulkheadStrategy(
            new BulkheadLimiter(name ?? context.PipelineName, max, queue, timeout, context.TimeProvider),
            onRejected,
            context.CreateTelemetry(name, BulkheadConstants.DefaultName, BulkheadConstants.Events)));
        return builder;
    }

    /// <summary>
    /// Adds a shared bulkhead: every pipeline it is added to draws on the same slots and queue.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="bulkhead">The shared bulkhead.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddBulkhead<TBuilder>(this TBuilder builder, SharedBulkhead bulkhead)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(bulkhead);
        builder.AddStrategyCore(context => new BulkheadStrategy(bulkhead.Limiter, bulkhead.OnRejected, context.CreateTelemetry(bulkhead.Name, BulkheadConstants.DefaultName, BulkheadConstants.Events)));
        return builder;
    }

    internal static void Validate(BulkheadStrategyOptions options)
    {
        OptionGuard.InRange(options.MaxConcurrency, 1, int.MaxValue, "BulkheadStrategyOptions.MaxConcurrency");
        OptionGuard.InRange(options.MaxQueueLength, 0, int.MaxValue, "BulkheadStrategyOptions.MaxQueueLength");
        if (options.QueueTimeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            OptionGuard.Positive(options.QueueTimeout, "BulkheadStrategyOptions.QueueTimeout");
            OptionGuard.AtMostMaxDuration(options.QueueTimeout, "BulkheadStrategyOptions.QueueTimeout");
        }
    }
}
