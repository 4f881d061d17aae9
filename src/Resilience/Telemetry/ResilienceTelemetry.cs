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
    private readonly TelemetryEvent[] _events;
    private readonly Counter<long>?[] _families;

    public ResilienceTelemetry(string? pipelineName, string strategyName, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, IReadOnlyList<TelemetryEvent>? events = null)
        : this(pipelineName, strategyName, loggerFactory, meterFactory is null ? ResilienceInstruments.Shared : ResilienceInstruments.For(meterFactory.Create(ResilienceTelemetryNames.Meter)), events)
    {
    }

    /// <param name="pipelineName">The pipeline's name, a tag of everything reported.</param>
    /// <param name="strategyName">The strategy's name, a tag of everything reported.</param>
    /// <param name="loggerFactory">Where events are logged, if anywhere.</param>
    /// <param name="instruments">The meter's instruments (a factory owns and caches its meter; without one, the process-wide meter).</param>
    /// <param name="events">The events the component declares a family counter for; others are counted only by the generic counter.</param>
    public ResilienceTelemetry(string? pipelineName, string strategyName, ILoggerFactory? loggerFactory, ResilienceInstruments instruments, IReadOnlyList<TelemetryEvent>? events)
    {
        PipelineName = pipelineName;
        StrategyName = strategyName;
        _logger = loggerFactory?.CreateLogger(ResilienceTelemetryNames.Meter);
        _instruments = instruments;
        _eventCounter = _instruments.Events;
        _callbackFailureCounter = _instruments.CallbackFailures;
        _events = events is null ? [] : [.. events];
        _families = new Counter<long>?[_events.Length];
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

        var family = FamilyOf(eventName);
        if (family is not null && family.Enabled)
        {
            family.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.EventTag, eventName));
        }
    }

    /// <summary>Reports <paramref name="component"/> on a gauge of this telemetry's meter for as long as it lives.</summary>
    public void Observe<T>(GaugeDefinition<T> gauge, T component)
        where T : class
        => _instruments.Live.Observe(gauge, component);

    // A component declares a handful of events: a scan comparing references first (the names are constants) beats
    // hashing the name, and the counter is resolved once per telemetry instance.
    private Counter<long>? FamilyOf(string eventName)
    {
        var events = _events;
        for (var i = 0; i < events.Length; i++)
        {
            if (ReferenceEquals(events[i].Name, eventName) || string.Equals(events[i].Name, eventName, StringComparison.Ordinal))
            {
                return Volatile.Read(ref _families[i]) ?? (_families[i] = _instruments.FamilyOf(events[i]));
            }
        }

        return null;
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
