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

    /// <summary>The tag holding the pipeline name.</summary>
    public const string PipelineTag = "pipeline";

    /// <summary>The tag holding the strategy name.</summary>
    public const string StrategyTag = "strategy";

    /// <summary>The tag holding the event name.</summary>
    public const string EventTag = "event";

    /// <summary>The tag holding the exception type name.</summary>
    public const string ExceptionTag = "exception.type";
}
