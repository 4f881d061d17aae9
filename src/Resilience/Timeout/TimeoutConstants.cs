using Resilience.Telemetry;

namespace Resilience.Timeout;

internal static class TimeoutConstants
{
    public const string DefaultName = "Timeout";

    public const string OnTimeoutEvent = "OnTimeout";

    public static readonly TelemetryEvent[] Events = [new(OnTimeoutEvent, "resilience.timeout.timeouts", "{timeout}", "Calls that timed out.")];

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // The longest delay a CancellationTokenSource timer accepts (uint.MaxValue - 1 milliseconds, about 49.7 days).
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static bool IsEnforced(TimeSpan timeout) => timeout > TimeSpan.Zero && timeout <= MaxTimeout;
}
