using Resilience.CircuitBreaker.Internal;
using Resilience.Telemetry;

namespace Resilience.CircuitBreaker;

internal static class CircuitBreakerConstants
{
    public const string DefaultName = "CircuitBreaker";
    public const string OnOpenedEvent = "OnCircuitOpened";
    public const string OnClosedEvent = "OnCircuitClosed";
    public const string OnHalfOpenedEvent = "OnCircuitHalfOpened";
    public const string OnRejectedEvent = "OnCircuitRejected";

    private const string Transitions = "resilience.circuit_breaker.transitions";

    public static readonly TelemetryEvent[] Events =
    [
        new(OnOpenedEvent, Transitions, "{transition}", "Circuit state changes (tag state)."),
        new(OnClosedEvent, Transitions, "{transition}", "Circuit state changes (tag state)."),
        new(OnHalfOpenedEvent, Transitions, "{transition}", "Circuit state changes (tag state)."),
        new(OnRejectedEvent, "resilience.circuit_breaker.rejections", "{call}", "Calls rejected by an open circuit."),
    ];

    // What a live breaker reports to the gauges of each pipeline's meter that uses it.
    public static readonly GaugeDefinition<CircuitController> StateGauge = GaugeDefinition<CircuitController>.Gauge(
        ResilienceTelemetryNames.CircuitState, "{state}", "Current circuit state: 0 closed, 1 open, 2 half-open, 3 isolated.", static c => (int)c.State, ResilienceTelemetryNames.BreakerTag, static c => c.Name);

    // A generated break longer than any option may be is cut to the same bound.
    public static readonly TimeSpan MaxBreakDuration = Resilience.Internal.OptionGuard.MaxDuration;
}
