using System.Threading.RateLimiting;

namespace Resilience.RateLimiting;

/// <summary>
/// Options of the rate-limiter strategy: an adapter over any <see cref="System.Threading.RateLimiting.RateLimiter"/>.
/// </summary>
public sealed class RateLimiterStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Gets or sets the limiter. The pipeline does not dispose it: the limiter may be shared.</summary>
    public RateLimiter? RateLimiter { get; set; }

    /// <summary>Gets or sets a callback raised when a call is refused. An exception it throws is reported to telemetry, not to the caller.</summary>
    public Func<OnRateLimiterRejectedArguments, ValueTask>? OnRejected { get; set; }
}
