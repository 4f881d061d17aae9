using Resilience.Telemetry;

namespace Resilience.Timeout;

internal static class TimeoutConstants
{
    public const string DefaultName = "Timeout";

    public const string OnTimeoutEvent = "OnTimeout";

    public static readonly TelemetryEvent[] Events = [new(OnTimeoutEvent, "resilience.timeout.timeouts", "{timeout}", "Calls that timed out.")];

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // The bound of every duration option (1 day), well below what timers accept (about 49.7 days).
    public static readonly TimeSpan MaxTimeout = Resilience.Internal.OptionGuard.MaxDuration;

    public static bool IsEnforced(TimeSpan timeout) => timeout > TimeSpan.Zero;

    /// <summary>A generated timeout longer than the bound is cut to it, so no timer is given a due time it rejects.</summary>
    public static TimeSpan Bounded(TimeSpan timeout) => timeout > MaxTimeout ? MaxTimeout : timeout;
}
