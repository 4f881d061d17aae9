using Resilience.Telemetry;

namespace Resilience.CacheFallback;

internal static class CacheFallbackConstants
{
    public const string DefaultName = "CacheFallback";

    public const string OnServedFromCacheEvent = "OnServedFromCache";

    public const string StoreReadCallback = "CacheFallbackStore.GetAsync";

    public const string StoreWriteCallback = "CacheFallbackStore.SetAsync";

    public static readonly TimeSpan MaxStaleness = TimeSpan.FromDays(365);

    public static readonly TelemetryEvent[] Events = [new(OnServedFromCacheEvent, "resilience.cache_fallback.served", "{result}", "Failures replaced by a stored last good result.")];
}
