using Resilience.Telemetry;

namespace Resilience;

/// <summary>
/// What a strategy factory receives when the pipeline is built: the pipeline's name and its time source.
/// </summary>
public sealed class StrategyBuilderContext
{
    internal StrategyBuilderContext(string? pipelineName, TimeProvider timeProvider)
    {
        PipelineName = pipelineName;
        TimeProvider = timeProvider;
    }

    /// <summary>
    /// Gets the name of the pipeline being built, if it has one.
    /// </summary>
    public string? PipelineName { get; }

    /// <summary>
    /// Gets the time source every delay, timer and window of the pipeline must use.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    internal ResilienceTelemetry CreateTelemetry(string? strategyName, string defaultName) => new(PipelineName, strategyName ?? defaultName);
}
