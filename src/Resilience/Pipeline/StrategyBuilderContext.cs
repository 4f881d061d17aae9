using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Resilience.Telemetry;

namespace Resilience;

/// <summary>
/// What a strategy factory receives when the pipeline is built: the pipeline's name and its time source.
/// </summary>
public sealed class StrategyBuilderContext
{
    internal StrategyBuilderContext(string? pipelineName, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        PipelineName = pipelineName;
        TimeProvider = timeProvider;
        LoggerFactory = loggerFactory;
        MeterFactory = meterFactory;
    }

    /// <summary>Gets the logger factory of the pipeline, if any.</summary>
    public ILoggerFactory? LoggerFactory { get; }

    /// <summary>Gets the meter factory of the pipeline, if any.</summary>
    public IMeterFactory? MeterFactory { get; }

    /// <summary>
    /// Gets the name of the pipeline being built, if it has one.
    /// </summary>
    public string? PipelineName { get; }

    /// <summary>
    /// Gets the time source every delay, timer and window of the pipeline must use.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets what the pipeline being built owns and disposes with itself.</summary>
    internal Internal.OwnedResources Owned { get; } = new();

    internal ResilienceTelemetry CreateTelemetry(string? strategyName, string defaultName, IReadOnlyList<TelemetryEvent>? events = null) => new(PipelineName, strategyName ?? defaultName, LoggerFactory, MeterFactory, events);
}
