using Resilience.Telemetry;

namespace Resilience.RateLimiting;

internal static class RateLimiterConstants
{
    public const string DefaultName = "RateLimiter";
    public const string OnRejectedEvent = "OnRateLimiterRejected";

    public static readonly TelemetryEvent[] Events = [new(OnRejectedEvent, "resilience.rate_limiter.rejections", "{call}", "Calls rejected by a rate limiter.")];
}
