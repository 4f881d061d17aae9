using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience.Telemetry;

/// <summary>
/// Reports a strategy's events to the library's <see cref="Meter"/>. Each strategy instance owns one, so the
/// pipeline and strategy names are fixed tags. Nothing is computed when no listener is enabled.
/// </summary>
internal sealed class ResilienceTelemetry
{
    private readonly ResilienceInstruments _instruments;
    private readonly Counter<long> _eventCounter;
    private readonly Counter<long> _callbackFailureCounter;
    private readonly ILogger? _logger;

    public ResilienceTelemetry(string? pipelineName, string strategyName, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        PipelineName = pipelineName;
        StrategyName = strategyName;
        _logger = loggerFactory?.CreateLogger(ResilienceTelemetryNames.Meter);
        // A factory owns (and caches) its meter; without one, the process-wide meter.
        _instruments = meterFactory is null ? ResilienceInstruments.Shared : ResilienceInstruments.For(meterFactory.Create(ResilienceTelemetryNames.Meter));
        _eventCounter = _instruments.Events;
        _callbackFailureCounter = _instruments.CallbackFailures;
    }

    /// <summary>Counts an attempt; costs one check of a flag when nobody listens.</summary>
    public void ReportAttempt(Exception? failure)
    {
        var attempts = _instruments.Attempts;
        if (attempts.Enabled)
        {
            attempts.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.OutcomeTag, failure is null ? "success" : "failure"),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.ErrorTypeTag, failure?.GetType().FullName));
        }
    }

    public string? PipelineName { get; }

    public string StrategyName { get; }

    public void Report(string eventName)
    {
        if (_logger is not null)
        {
            ResilienceLog.StrategyEvent(_logger, eventName, PipelineName, StrategyName);
        }

        Activity.Current?.AddEvent(new ActivityEvent(eventName));
        if (_eventCounter.Enabled)
        {
            _eventCounter.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, eventName));
        }

        var family = _instruments.FamilyOf(eventName);
        if (family is not null && family.Enabled)
        {
            family.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, eventName));
        }
    }

    public void ReportCallbackFailure(string callbackName, Exception exception)
    {
        if (_logger is not null)
        {
            ResilienceLog.CallbackFailed(_logger, exception, callbackName, PipelineName, StrategyName);
        }

        if (_callbackFailureCounter.Enabled)
        {
            _callbackFailureCounter.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, callbackName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.ExceptionTag, exception.GetType().FullName));
        }
    }

}
