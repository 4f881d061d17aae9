using System.Diagnostics.Metrics;

namespace Resilience.Telemetry;

/// <summary>
/// Reports a strategy's events to the library's <see cref="Meter"/>. Each strategy instance owns one, so the
/// pipeline and strategy names are fixed tags. Nothing is computed when no listener is enabled.
/// </summary>
internal sealed class ResilienceTelemetry
{
    private static readonly Meter SharedMeter = new(ResilienceTelemetryNames.Meter, typeof(ResilienceTelemetry).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> EventCounter = SharedMeter.CreateCounter<long>(ResilienceTelemetryNames.Events, "{event}", "Events raised by resilience strategies.");
    private static readonly Counter<long> CallbackFailureCounter = SharedMeter.CreateCounter<long>(ResilienceTelemetryNames.CallbackFailures, "{exception}", "Exceptions thrown by user callbacks of resilience strategies.");

    public ResilienceTelemetry(string? pipelineName, string strategyName)
    {
        PipelineName = pipelineName;
        StrategyName = strategyName;
    }

    public string? PipelineName { get; }

    public string StrategyName { get; }

    public void Report(string eventName)
    {
        if (EventCounter.Enabled)
        {
            EventCounter.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, eventName));
        }
    }

    public void ReportCallbackFailure(string callbackName, Exception exception)
    {
        if (CallbackFailureCounter.Enabled)
        {
            CallbackFailureCounter.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, callbackName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.ExceptionTag, exception.GetType().FullName));
        }
    }
}
