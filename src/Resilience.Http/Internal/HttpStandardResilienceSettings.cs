using Resilience.DependencyInjection.Configuration;

namespace Resilience.Http.Internal;

/// <summary>
/// The configurable part of <see cref="HttpStandardResilienceOptions"/> (rules and callbacks are set in code), bound from
/// a section such as <c>Resilience:Http:inventory</c>; unset values keep the standard defaults.
/// </summary>
internal sealed class HttpStandardResilienceSettings
{
    public static readonly SettingsKeys Keys = new(new Dictionary<string, SettingsKeys?>(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(TotalTimeout)] = null,
        [nameof(Retry)] = SettingsKeys.Retry,
        [nameof(CircuitBreaker)] = SettingsKeys.CircuitBreaker,
        [nameof(Handler)] = SettingsKeys.Leaves(nameof(ResilienceHandlerSettings.RetryUnsafeMethods), nameof(ResilienceHandlerSettings.MaxReplayableContentLength)),
        [nameof(AttemptTimeout)] = null,
    });

    public TimeSpan? TotalTimeout { get; set; }

    public RetrySettings? Retry { get; set; }

    public CircuitBreakerSettings? CircuitBreaker { get; set; }

    public ResilienceHandlerSettings? Handler { get; set; }

    public TimeSpan? AttemptTimeout { get; set; }

    public void ApplyTo(HttpStandardResilienceOptions options)
    {
        options.TotalTimeout = TotalTimeout ?? options.TotalTimeout;
        options.AttemptTimeout = AttemptTimeout ?? options.AttemptTimeout;
        if (Retry is { } retry)
        {
            options.Retry.MaxRetryAttempts = retry.MaxRetryAttempts ?? options.Retry.MaxRetryAttempts;
            options.Retry.BackoffType = retry.BackoffType ?? options.Retry.BackoffType;
            options.Retry.BaseDelay = retry.BaseDelay ?? options.Retry.BaseDelay;
            options.Retry.MaxDelay = retry.MaxDelay ?? options.Retry.MaxDelay;
            options.Retry.Jitter = retry.Jitter ?? options.Retry.Jitter;
            options.Retry.MaxRetryDuration = retry.MaxRetryDuration ?? options.Retry.MaxRetryDuration;
        }

        if (CircuitBreaker is { } breaker)
        {
            options.CircuitBreaker.ConsecutiveFailureThreshold = breaker.ConsecutiveFailureThreshold ?? options.CircuitBreaker.ConsecutiveFailureThreshold;
            options.CircuitBreaker.FailureRatio = breaker.FailureRatio ?? options.CircuitBreaker.FailureRatio;
            options.CircuitBreaker.MinimumThroughput = breaker.MinimumThroughput ?? options.CircuitBreaker.MinimumThroughput;
            options.CircuitBreaker.SamplingDuration = breaker.SamplingDuration ?? options.CircuitBreaker.SamplingDuration;
            options.CircuitBreaker.BreakDuration = breaker.BreakDuration ?? options.CircuitBreaker.BreakDuration;
        }

        if (Handler is { } handler)
        {
            options.Handler.RetryUnsafeMethods = handler.RetryUnsafeMethods ?? options.Handler.RetryUnsafeMethods;
            options.Handler.MaxReplayableContentLength = handler.MaxReplayableContentLength ?? options.Handler.MaxReplayableContentLength;
        }
    }
}

/// <summary>The configurable part of <see cref="ResilienceHandlerOptions"/>.</summary>
internal sealed class ResilienceHandlerSettings
{
    public bool? RetryUnsafeMethods { get; set; }

    public long? MaxReplayableContentLength { get; set; }
}
