using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resilience.Telemetry;

/// <summary>
/// The instruments of one <see cref="Meter"/> (the shared one, or one per meter factory): a counter per event family,
/// the attempt counter, the pipeline duration histogram, and gauges observing live breakers, bulkheads and queues.
/// </summary>
internal sealed class ResilienceInstruments
{
    private static readonly ConcurrentDictionary<Meter, ResilienceInstruments> ByMeter = new();

    // Event name → instrument: each family gets its own counter (dashboards query them by name).
    private static readonly Dictionary<string, (string Name, string Unit, string Description)> EventInstruments = new(StringComparer.Ordinal)
    {
        ["OnRetry"] = ("resilience.retry.retries", "{retry}", "Retries scheduled."),
        ["OnRetriesExhausted"] = ("resilience.retry.exhausted", "{call}", "Calls returned after their last retry."),
        ["OnRetryBudgetExhausted"] = ("resilience.retry.budget_denied", "{retry}", "Retries refused by a retry budget."),
        ["OnTimeout"] = ("resilience.timeout.timeouts", "{timeout}", "Calls that timed out."),
        ["OnFallback"] = ("resilience.fallback.fallbacks", "{fallback}", "Fallbacks run."),
        ["OnCircuitOpened"] = ("resilience.circuit_breaker.transitions", "{transition}", "Circuit state changes (tag state)."),
        ["OnCircuitClosed"] = ("resilience.circuit_breaker.transitions", "{transition}", "Circuit state changes (tag state)."),
        ["OnCircuitHalfOpened"] = ("resilience.circuit_breaker.transitions", "{transition}", "Circuit state changes (tag state)."),
        ["OnCircuitRejected"] = ("resilience.circuit_breaker.rejections", "{call}", "Calls rejected by an open circuit."),
        ["OnBulkheadRejected"] = ("resilience.bulkhead.rejections", "{call}", "Calls rejected by a bulkhead."),
        ["OnRateLimiterRejected"] = ("resilience.rate_limiter.rejections", "{call}", "Calls rejected by a rate limiter."),
        ["OnEnqueued"] = ("resilience.dead_letter.enqueued", "{entry}", "Entries added to a dead letter queue."),
        ["OnRecovered"] = ("resilience.dead_letter.recovered", "{entry}", "Dead letters recovered by a retry."),
        ["OnExhausted"] = ("resilience.dead_letter.exhausted", "{entry}", "Dead letters that ran out of attempts."),
        ["OnCompensationExecuted"] = ("resilience.compensation.executed", "{step}", "Compensations run."),
        ["OnCompensationFailed"] = ("resilience.compensation.failed", "{step}", "Compensations that failed after their attempts."),
    };

    // Event name → slot of its family counter: a frozen lookup (no hashing of the whole name for a set this small)
    // and an array read, instead of two concurrent-dictionary lookups, on every event reported.
    private static readonly string[] FamilyNames = [.. EventInstruments.Values.Select(i => i.Name).Distinct(StringComparer.Ordinal)];

    private static readonly FrozenDictionary<string, int> FamilySlots = EventInstruments.ToFrozenDictionary(
        e => e.Key,
        e => Array.IndexOf(FamilyNames, e.Value.Name),
        StringComparer.Ordinal);

    private readonly Meter _meter;
    private readonly Counter<long>?[] _families = new Counter<long>?[FamilyNames.Length];

    private ResilienceInstruments(Meter meter)
    {
        _meter = meter;
        Events = meter.CreateCounter<long>(ResilienceTelemetryNames.Events, "{event}", "Events raised by resilience strategies.");
        CallbackFailures = meter.CreateCounter<long>(ResilienceTelemetryNames.CallbackFailures, "{exception}", "Exceptions thrown by user callbacks of resilience strategies.");
        Attempts = meter.CreateCounter<long>(ResilienceTelemetryNames.Attempts, "{attempt}", "Attempts made by retry strategies (tag outcome).");
        PipelineDuration = meter.CreateHistogram<double>(ResilienceTelemetryNames.PipelineDuration, "ms", "Duration of pipeline executions.");
        meter.CreateObservableGauge(ResilienceTelemetryNames.CircuitState, LiveComponents.CircuitStates, "{state}", "Current circuit state: 0 closed, 1 open, 2 half-open, 3 isolated.");
        meter.CreateObservableUpDownCounter(ResilienceTelemetryNames.BulkheadInUse, LiveComponents.BulkheadsInUse, "{call}", "Calls running in bulkheads.");
        meter.CreateObservableUpDownCounter(ResilienceTelemetryNames.BulkheadQueued, LiveComponents.BulkheadsQueued, "{call}", "Calls waiting in bulkhead queues.");
        meter.CreateObservableGauge(ResilienceTelemetryNames.DeadLetterSize, LiveComponents.DeadLetterSizes, "{entry}", "Entries in dead letter queues.");
    }

    public static ResilienceInstruments Shared { get; } = For(new Meter(ResilienceTelemetryNames.Meter, typeof(ResilienceInstruments).Assembly.GetName().Version?.ToString()));

    public static ActivitySource ActivitySource { get; } = new(ResilienceTelemetryNames.ActivitySource, typeof(ResilienceInstruments).Assembly.GetName().Version?.ToString());

    public Counter<long> Events { get; }

    public Counter<long> CallbackFailures { get; }

    public Counter<long> Attempts { get; }

    public Histogram<double> PipelineDuration { get; }

    public static ResilienceInstruments For(Meter meter) => ByMeter.GetOrAdd(meter, static m => new ResilienceInstruments(m));

    public Counter<long>? FamilyOf(string eventName)
    {
        if (!FamilySlots.TryGetValue(eventName, out var slot))
        {
            return null;
        }

        return Volatile.Read(ref _families[slot]) ?? CreateFamily(slot, eventName);
    }

    // Created on first use so a meter only publishes the families something reported; racing creators agree on one.
    private Counter<long> CreateFamily(int slot, string eventName)
    {
        var (name, unit, description) = EventInstruments[eventName];
        var created = _meter.CreateCounter<long>(name, unit, description);
        return Interlocked.CompareExchange(ref _families[slot], created, null) ?? created;
    }
}
