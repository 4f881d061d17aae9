using Resilience.Telemetry;

namespace Resilience.Chaos;

internal static class ChaosConstants
{
    public const string DefaultFaultName = "ChaosFault";
    public const string DefaultOutcomeName = "ChaosOutcome";
    public const string DefaultLatencyName = "ChaosLatency";
    public const string DefaultBehaviorName = "ChaosBehavior";

    public const string OnFaultInjectedEvent = "OnFaultInjected";
    public const string OnOutcomeInjectedEvent = "OnOutcomeInjected";
    public const string OnLatencyInjectedEvent = "OnLatencyInjected";
    public const string OnBehaviorInjectedEvent = "OnBehaviorInjected";

    /// <summary>The default injection rate, Simmy's: one call in a thousand.</summary>
    public const double DefaultInjectionRate = 0.001;

    public static readonly TimeSpan DefaultLatency = TimeSpan.FromSeconds(30);

    // Every kind of injection is counted on one family; the event tag tells them apart.
    public static readonly TelemetryEvent[] Events =
    [
        new(OnFaultInjectedEvent, "resilience.chaos.injections", "{injection}", "Chaos injected into calls."),
        new(OnOutcomeInjectedEvent, "resilience.chaos.injections", "{injection}", "Chaos injected into calls."),
        new(OnLatencyInjectedEvent, "resilience.chaos.injections", "{injection}", "Chaos injected into calls."),
        new(OnBehaviorInjectedEvent, "resilience.chaos.injections", "{injection}", "Chaos injected into calls."),
    ];
}
