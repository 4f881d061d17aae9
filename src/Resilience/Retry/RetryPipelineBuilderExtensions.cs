using Resilience.Internal;
using Resilience.Retry;

namespace Resilience;

/// <summary>
/// Adds the retry strategy to pipeline builders.
/// </summary>
public static class RetryPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a retry strategy to a non-generic pipeline.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder AddRetry(this ResiliencePipelineBuilder builder, RetryStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRetryCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a retry strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder<TResult> AddRetry<TResult>(this ResiliencePipelineBuilder<TResult> builder, RetryStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRetryCore(builder, options);
        return builder;
    }

    private static void AddRetryCore<TResult>(ResiliencePipelineBuilderBase builder, RetryStrategyOptions<TResult>? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var snapshot = new RetryStrategyOptions<TResult>
        {
            Name = options.Name,
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = options.BackoffType,
            BaseDelay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            Jitter = options.Jitter,
            JitterRange = options.JitterRange,
            DelayGenerator = options.DelayGenerator,
            MaxRetryDuration = options.MaxRetryDuration,
            ShouldHandle = options.ShouldHandle,
            ShouldHandleWithArguments = options.ShouldHandleWithArguments,
            OnRetry = options.OnRetry,
            OnRetriesExhausted = options.OnRetriesExhausted,
            Budget = options.Budget,
            Randomizer = options.Randomizer,
        };
        var exceptionsOnly = options.UsesDefaultShouldHandle;
        builder.AddStrategyCore(context => new RetryStrategy<TResult>(snapshot, exceptionsOnly, context));
    }

    private static void Validate<TResult>(RetryStrategyOptions<TResult> options)
    {
        OptionGuard.InRange(options.MaxRetryAttempts, 1, int.MaxValue, "RetryStrategyOptions.MaxRetryAttempts");
        OptionGuard.NotNegative(options.BaseDelay, "RetryStrategyOptions.BaseDelay");
        OptionGuard.AtMostMaxDuration(options.BaseDelay, "RetryStrategyOptions.BaseDelay");
        OptionGuard.NotNegative(options.MaxDelay, "RetryStrategyOptions.MaxDelay");
        OptionGuard.AtMostMaxDuration(options.MaxDelay, "RetryStrategyOptions.MaxDelay");
        if (options.MaxDelay < options.BaseDelay)
        {
            throw OptionGuard.OutOfRange("RetryStrategyOptions.MaxDelay", options.MaxDelay, $"must not be shorter than BaseDelay ({options.BaseDelay})");
        }

        OptionGuard.InRange(options.JitterRange, 0, 1, "RetryStrategyOptions.JitterRange");
        if (!Enum.IsDefined(options.BackoffType))
        {
            throw OptionGuard.OutOfRange("RetryStrategyOptions.BackoffType", options.BackoffType, "must be a defined backoff type");
        }

        if (!Enum.IsDefined(options.Jitter))
        {
            throw OptionGuard.OutOfRange("RetryStrategyOptions.Jitter", options.Jitter, "must be a defined jitter mode");
        }

        if (options.MaxRetryDuration is { } duration)
        {
            OptionGuard.Positive(duration, "RetryStrategyOptions.MaxRetryDuration");
            OptionGuard.AtMostMaxDuration(duration, "RetryStrategyOptions.MaxRetryDuration");
        }

        OptionGuard.NotNull(options.ShouldHandle, "RetryStrategyOptions.ShouldHandle");
    }
}
