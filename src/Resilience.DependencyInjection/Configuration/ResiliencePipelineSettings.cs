using Resilience.Retry;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// A pipeline described in configuration (for example <c>Resilience:Pipelines:orders-api</c>). Strategies are added in
/// the standard order, each only when its section is present: total timeout → retry → circuit breaker → bulkhead →
/// attempt timeout.
/// </summary>
public sealed class ResiliencePipelineSettings
{
    /// <summary>Gets or sets the budget of the whole call, retries included.</summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>Gets or sets the retry settings.</summary>
    public RetrySettings? Retry { get; set; }

    /// <summary>Gets or sets the circuit-breaker settings.</summary>
    public CircuitBreakerSettings? CircuitBreaker { get; set; }

    /// <summary>Gets or sets the bulkhead settings.</summary>
    public BulkheadSettings? Bulkhead { get; set; }

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    public TimeSpan? AttemptTimeout { get; set; }
}

/// <summary>Retry settings; unset values keep the strategy's defaults.</summary>
public sealed class RetrySettings
{
    /// <summary>Gets or sets the retries after the first attempt.</summary>
    public int? MaxRetryAttempts { get; set; }

    /// <summary>Gets or sets the backoff type.</summary>
    public BackoffType? BackoffType { get; set; }

    /// <summary>Gets or sets the base delay.</summary>
    public TimeSpan? BaseDelay { get; set; }

    /// <summary>Gets or sets the longest delay.</summary>
    public TimeSpan? MaxDelay { get; set; }

    /// <summary>Gets or sets the jitter mode.</summary>
    public JitterMode? Jitter { get; set; }

    /// <summary>Gets or sets the longest time spent retrying.</summary>
    public TimeSpan? MaxRetryDuration { get; set; }
}

/// <summary>Circuit-breaker settings; unset values keep the strategy's defaults.</summary>
public sealed class CircuitBreakerSettings
{
    /// <summary>Gets or sets the consecutive failures that trip the breaker (ratio mode when unset).</summary>
    public int? ConsecutiveFailureThreshold { get; set; }

    /// <summary>Gets or sets the failure ratio that trips the breaker.</summary>
    public double? FailureRatio { get; set; }

    /// <summary>Gets or sets the calls needed before a ratio can trip the breaker.</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>Gets or sets the sampling duration.</summary>
    public TimeSpan? SamplingDuration { get; set; }

    /// <summary>Gets or sets the break duration.</summary>
    public TimeSpan? BreakDuration { get; set; }
}

/// <summary>Bulkhead settings; unset values keep the strategy's defaults.</summary>
public sealed class BulkheadSettings
{
    /// <summary>Gets or sets how many calls may run at once.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets how many calls may wait.</summary>
    public int? MaxQueueLength { get; set; }

    /// <summary>Gets or sets how long a call may wait.</summary>
    public TimeSpan? QueueTimeout { get; set; }
}
