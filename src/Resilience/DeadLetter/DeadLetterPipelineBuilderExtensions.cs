using Resilience.DeadLetter;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the dead-letter strategy to pipeline builders.
/// </summary>
public static class DeadLetterPipelineBuilderExtensions
{
    /// <summary>
    /// Sends the payload of every call that finally fails to <paramref name="queue"/> under <paramref name="operationType"/>;
    /// the caller still gets the failure.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="queue">The queue.</param>
    /// <param name="operationType">The operation type of the entries.</param>
    /// <param name="payloadFactory">What to store for a failed call; <see langword="null"/> skips it.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddDeadLetter<TBuilder>(this TBuilder builder, DeadLetterQueue queue, string operationType, Func<ResilienceContext, byte[]?> payloadFactory)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddDeadLetter(new DeadLetterStrategyOptions { Queue = queue, OperationType = operationType, PayloadFactory = payloadFactory });

    /// <summary>
    /// Adds the dead-letter strategy.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required option is missing; the message names it.</exception>
    public static TBuilder AddDeadLetter<TBuilder>(this TBuilder builder, DeadLetterStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.NotNull(options.Queue, "DeadLetterStrategyOptions.Queue");
        OptionGuard.NotEmpty(options.OperationType, "DeadLetterStrategyOptions.OperationType");
        OptionGuard.NotNull(options.PayloadFactory, "DeadLetterStrategyOptions.PayloadFactory");
        OptionGuard.NotNull(options.ShouldHandle, "DeadLetterStrategyOptions.ShouldHandle");
        var snapshot = new DeadLetterStrategyOptions
        {
            Name = options.Name,
            Queue = options.Queue,
            OperationType = options.OperationType,
            PayloadFactory = options.PayloadFactory,
            ShouldHandle = options.ShouldHandle,
            ContextFactory = options.ContextFactory,
        };
        var exceptionsOnly = ReferenceEquals(options.ShouldHandle, new DeadLetterStrategyOptions().ShouldHandle);
        builder.AddStrategyCore(context => new DeadLetterStrategy(snapshot, exceptionsOnly, context.CreateTelemetry(snapshot.Name, "DeadLetter")));
        return builder;
    }
}
