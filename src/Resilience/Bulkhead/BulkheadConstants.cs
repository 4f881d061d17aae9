using Resilience.Bulkhead.Internal;
using Resilience.Telemetry;

namespace Resilience.Bulkhead;

internal static class BulkheadConstants
{
    public const string DefaultName = "Bulkhead";
    public const string OnRejectedEvent = "OnBulkheadRejected";

    public static readonly TelemetryEvent[] Events = [new(OnRejectedEvent, "resilience.bulkhead.rejections", "{call}", "Calls rejected by a bulkhead.")];

    // What a live bulkhead reports to the gauges of each pipeline's meter that uses it.
    public static readonly GaugeDefinition<BulkheadLimiter> InUseGauge = GaugeDefinition<BulkheadLimiter>.UpDownCounter(
        ResilienceTelemetryNames.BulkheadInUse, "{call}", "Calls running in bulkheads.", static b => b.InUse, ResilienceTelemetryNames.BulkheadTag, static b => b.Name);

    public static readonly GaugeDefinition<BulkheadLimiter> QueuedGauge = GaugeDefinition<BulkheadLimiter>.UpDownCounter(
        ResilienceTelemetryNames.BulkheadQueued, "{call}", "Calls waiting in bulkhead queues.", static b => b.Queued, ResilienceTelemetryNames.BulkheadTag, static b => b.Name);
}
