using Resilience.Telemetry;

namespace Resilience.Hedging;

internal static class HedgingConstants
{
    public const string DefaultName = "Hedging";
    public const string OnHedgingEvent = "OnHedging";
    public const int DefaultMaxHedgedAttempts = 1;
    public const int MaxHedgedAttempts = 10;

    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(2);

    // The counters of the hedging's events, declared here so telemetry need not know them.
    public static readonly TelemetryEvent[] Events =
    [
        new(OnHedgingEvent, "resilience.hedging.hedges", "{attempt}", "Hedged attempts started."),
    ];
}
