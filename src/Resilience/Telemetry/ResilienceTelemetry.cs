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

    /// <summary>
    /// Counts an attempt; costs one check of a flag when nobody listens. An attempt fails when it threw or when its
    /// result is <paramref name="handled"/> (a 503 the retry will retry is no success).
    /// </summary>
    /// <returns><paramref name="handled"/>, so the caller can test and report in one expression.</returns>
    public bool ReportAttempt<T>(in Outcome<T> outcome, bool handled)
    {
        var attempts = _instruments.Attempts;
        if (attempts.Enabled)
        {
            var failed = handled || outcome.Exception is not null;
            attempts.Add(
                1,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, PipelineName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.StrategyTag, StrategyName),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.OutcomeTag, failed ? "failure" : "success"),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.ErrorTypeTag, ErrorTypes.Of(outcome, handled)));
        }

        return handled;
    }

    /// <summary>Logs a scheduled retry with its number, its delay and what failed (the event itself is reported by <see cref="Report"/>).</summary>
    public void LogRetry<T>(int attemptNumber, TimeSpan delay, Outcome<T> outcome)
    {
        if (_logger is not null)
        {
            ResilienceLog.Retrying(_logger, outcome.Exception, PipelineName, StrategyName, attemptNumber, Math.Round(delay.TotalMilliseconds, 1), ErrorTypes.Of(outcome, handled: true));
        }
    }

    public string? PipelineName { get; }

    public string StrategyName { get; }

    public void Report(string eventName)
    {
        var declared = IndexOf(eventName);
        if (_logger is not null && (declared < 0 || !_events[declared].LoggedInDetail))
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

        var family = declared < 0 ? null : FamilyAt(declared);
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
    private int IndexOf(string eventName)
    {
        var events = _events;
        for (var i = 0; i < events.Length; i++)
        {
            if (ReferenceEquals(events[i].Name, eventName) || string.Equals(events[i].Name, eventName, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private Counter<long> FamilyAt(int index) => Volatile.Read(ref _families[index]) ?? (_families[index] = _instruments.FamilyOf(_events[index]));

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
