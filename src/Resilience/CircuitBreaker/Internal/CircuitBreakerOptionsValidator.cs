using Resilience.Internal;

namespace Resilience.CircuitBreaker.Internal;

/// <summary>
/// Validates circuit-breaker options with messages that name the option, and copies them.
/// </summary>
internal static class CircuitBreakerOptionsValidator
{
    public static void Validate<TResult>(CircuitBreakerStrategyOptions<TResult> options)
    {
        if (options.ConsecutiveFailureThreshold is { } threshold)
        {
            OptionGuard.InRange(threshold, 1, int.MaxValue, "CircuitBreakerStrategyOptions.ConsecutiveFailureThreshold");
        }

        OptionGuard.InRange(options.FailureRatio, 0, 1, "CircuitBreakerStrategyOptions.FailureRatio");
        OptionGuard.InRange(options.SlowCallRatio, 0, 1, "CircuitBreakerStrategyOptions.SlowCallRatio");
        OptionGuard.InRange(options.MinimumThroughput, 1, int.MaxValue, "CircuitBreakerStrategyOptions.MinimumThroughput");
        OptionGuard.InRange(options.WindowSize, 1, 1_000_000, "CircuitBreakerStrategyOptions.WindowSize");
        OptionGuard.InRange(options.BucketCount, 1, 1000, "CircuitBreakerStrategyOptions.BucketCount");
        if (options.SamplingWindow == SamplingWindow.CountBased && options.ConsecutiveFailureThreshold is null && options.MinimumThroughput > options.WindowSize)
        {
            // The window never holds more calls than its size, so the ratio could never be judged.
            throw OptionGuard.OutOfRange(
                "CircuitBreakerStrategyOptions.MinimumThroughput",
                options.MinimumThroughput,
                $"must not exceed CircuitBreakerStrategyOptions.WindowSize ({options.WindowSize}) for a count-based window, which never holds more calls than its size, so the breaker could never open");
        }

        OptionGuard.Positive(options.SamplingDuration, "CircuitBreakerStrategyOptions.SamplingDuration");
        OptionGuard.AtMostMaxDuration(options.SamplingDuration, "CircuitBreakerStrategyOptions.SamplingDuration");
        if (options.SamplingDuration < TimeSpan.FromMilliseconds(options.BucketCount))
        {
            throw OptionGuard.OutOfRange("CircuitBreakerStrategyOptions.SamplingDuration", options.SamplingDuration, $"must allow at least 1 ms per bucket ({options.BucketCount} buckets)");
        }

        OptionGuard.Positive(options.BreakDuration, "CircuitBreakerStrategyOptions.BreakDuration");
        OptionGuard.AtMostMaxDuration(options.BreakDuration, "CircuitBreakerStrategyOptions.BreakDuration");
        OptionGuard.InRange(options.PermittedCallsInHalfOpen, 1, int.MaxValue, "CircuitBreakerStrategyOptions.PermittedCallsInHalfOpen");
        OptionGuard.InRange(options.SuccessThresholdInHalfOpen, 1, options.PermittedCallsInHalfOpen, "CircuitBreakerStrategyOptions.SuccessThresholdInHalfOpen");
        if (options.MaxWaitInHalfOpen is { } maxWait)
        {
            OptionGuard.Positive(maxWait, "CircuitBreakerStrategyOptions.MaxWaitInHalfOpen");
            OptionGuard.AtMostMaxDuration(maxWait, "CircuitBreakerStrategyOptions.MaxWaitInHalfOpen");
        }

        if (options.SlowCallDuration is { } slow)
        {
            OptionGuard.Positive(slow, "CircuitBreakerStrategyOptions.SlowCallDuration");
            OptionGuard.AtMostMaxDuration(slow, "CircuitBreakerStrategyOptions.SlowCallDuration");
        }

        if (!Enum.IsDefined(options.SamplingWindow))
        {
            throw OptionGuard.OutOfRange("CircuitBreakerStrategyOptions.SamplingWindow", options.SamplingWindow, "must be a defined window type");
        }

        OptionGuard.NotNull(options.ShouldHandle, "CircuitBreakerStrategyOptions.ShouldHandle");
    }

    /// <summary>Copies everything the state machine needs (not the typed rule, which the strategy keeps).</summary>
    public static CircuitBreakerStrategyOptions<object> Copy<TResult>(CircuitBreakerStrategyOptions<TResult> options) => new()
    {
        Name = options.Name,
        ConsecutiveFailureThreshold = options.ConsecutiveFailureThreshold,
        FailureRatio = options.FailureRatio,
        MinimumThroughput = options.MinimumThroughput,
        SamplingWindow = options.SamplingWindow,
        SamplingDuration = options.SamplingDuration,
        BucketCount = options.BucketCount,
        WindowSize = options.WindowSize,
        SlowCallDuration = options.SlowCallDuration,
        SlowCallRatio = options.SlowCallRatio,
        BreakDuration = options.BreakDuration,
        BreakDurationGenerator = options.BreakDurationGenerator,
        PermittedCallsInHalfOpen = options.PermittedCallsInHalfOpen,
        SuccessThresholdInHalfOpen = options.SuccessThresholdInHalfOpen,
        MaxWaitInHalfOpen = options.MaxWaitInHalfOpen,
        MetricsOnly = options.MetricsOnly,
        OnOpened = options.OnOpened,
        OnClosed = options.OnClosed,
        OnHalfOpened = options.OnHalfOpened,
        ShouldHandle = options is CircuitBreakerStrategyOptions<object> untyped ? untyped.ShouldHandle : static o => o.Exception is not null,
        ShouldHandleWithArguments = options is CircuitBreakerStrategyOptions<object> untypedWithArguments ? untypedWithArguments.ShouldHandleWithArguments : null,
    };
}
