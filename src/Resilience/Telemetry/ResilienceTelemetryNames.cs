namespace Resilience.Telemetry;

/// <summary>
/// The stable names of the library's telemetry, for dashboards and listeners.
/// </summary>
public static class ResilienceTelemetryNames
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every instrument belongs to.</summary>
    public const string Meter = "Resilience";

    /// <summary>A counter of strategy events (<c>{event}</c>), tagged with pipeline, strategy and event name.</summary>
    public const string Events = "resilience.events";

    /// <summary>A counter of exceptions thrown by user callbacks such as <c>OnRetry</c> (<c>{exception}</c>).</summary>
    public const string CallbackFailures = "resilience.callback.failures";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of pipeline executions.</summary>
    public const string ActivitySource = "Resilience";

    /// <summary>A counter of attempts made by retry strategies (<c>{attempt}</c>), tagged with outcome and error.type.</summary>
    public const string Attempts = "resilience.attempts";

    /// <summary>A histogram of pipeline execution durations in milliseconds, tagged with pipeline, outcome and error.type.</summary>
    public const string PipelineDuration = "resilience.pipeline.duration";

    /// <summary>A gauge of each live circuit breaker's state (0 closed, 1 open, 2 half-open, 3 isolated), tagged with breaker.</summary>
    public const string CircuitState = "resilience.circuit_breaker.state";

    /// <summary>An up-down counter of calls running in each live bulkhead, tagged with bulkhead.</summary>
    public const string BulkheadInUse = "resilience.bulkhead.in_use";

    /// <summary>An up-down counter of calls queued in each live bulkhead, tagged with bulkhead.</summary>
    public const string BulkheadQueued = "resilience.bulkhead.queued";

    /// <summary>A gauge of the entries in each live dead letter queue, tagged with queue and status (one measurement per status).</summary>
    public const string DeadLetterSize = "resilience.dead_letter.size";

    /// <summary>The tag holding an outcome: <c>success</c> or <c>failure</c>.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>The tag holding the exception type of a failure (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>The tag holding a breaker's name.</summary>
    public const string BreakerTag = "breaker";

    /// <summary>The tag holding a bulkhead's name.</summary>
    public const string BulkheadTag = "bulkhead";

    /// <summary>The tag holding a dead letter queue's name.</summary>
    public const string QueueTag = "queue";

    /// <summary>The tag holding a dead letter entry's status.</summary>
    public const string StatusTag = "status";

    /// <summary>The tag holding the pipeline name.</summary>
    public const string PipelineTag = "pipeline";

    /// <summary>The tag holding the strategy name.</summary>
    public const string StrategyTag = "strategy";

    /// <summary>The tag holding the event name.</summary>
    public const string EventTag = "event";

    /// <summary>The tag holding the exception type name.</summary>
    public const string ExceptionTag = "exception.type";
}
