using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience.Telemetry;

/// <summary>
/// Reports a strategy's events to the library's <see cref="Meter"/>. Each strategy instance owns one, so the
/// pipeline and strategy names are fixed tags. Nothing is computed when no listener is enabled.
/// </summary>
internal sealed class ResilienceTelemetry
{
    private static readonly Meter SharedMeter = new(ResilienceTelemetryNames.Meter, typeof(ResilienceTelemetry).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> SharedEventCounter = CreateEventCounter(SharedMeter);
    private static readonly Counter<long> SharedCallbackFailureCounter = CreateCallbackFailureCounter(SharedMeter);

    private readonly Counter<long> _eventCounter;
    private readonly Counter<long> _callbackFailureCounter;
    private readonly ILogger? _logger;

    public ResilienceTelemetry(string? pipelineName, string strategyName, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        PipelineName = pipelineName;
        StrategyName = strategyName;
        _logger = loggerFactory?.CreateLogger(ResilienceTelemetryNames.Meter);
        if (meterFactory is null)
        {
            _eventCounter = SharedEventCounter;
            _callbackFailureCounter = SharedCallbackFailureCounter;
        }
        else
        {
            // The factory owns (and caches) the meter; instruments of the same name are merged by listeners.
            var meter = meterFactory.Create(ResilienceTelemetryNames.Meter);
            _eventCounter = CreateEventCounter(meter);
            _callbackFailureCounter = CreateCallbackFailureCounter(meter);
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

        if (_eventCounter.Enabled)
        {
            _eventCounter.Add(
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

    private static Counter<long> CreateEventCounter(Meter meter) => meter.CreateCounter<long>(ResilienceTelemetryNames.Events, "{event}", "Events raised by resilience strategies.");

    private static Counter<long> CreateCallbackFailureCounter(Meter meter) => meter.CreateCounter<long>(ResilienceTelemetryNames.CallbackFailures, "{exception}", "Exceptions thrown by user callbacks of resilience strategies.");
}
