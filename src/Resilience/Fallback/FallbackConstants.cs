using Resilience.Telemetry;

namespace Resilience.Fallback;

internal static class FallbackConstants
{
    public const string DefaultName = "Fallback";

    public const string OnFallbackEvent = "OnFallback";

    public static readonly TelemetryEvent[] Events = [new(OnFallbackEvent, "resilience.fallback.fallbacks", "{fallback}", "Fallbacks run.")];
}
