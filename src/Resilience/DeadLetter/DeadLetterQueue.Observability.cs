using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.Telemetry;

namespace Resilience.DeadLetter;

/// <summary>
/// What the queue tells the outside: its logger, the types it warned about, and its size gauge per status.
/// </summary>
public sealed partial class DeadLetterQueue
{
    // Operation types come from callers: the warned set is bounded like the processor's per-type state.
    private const int MaxWarnedOperationTypes = 1024;

    private static readonly DeadLetterStatus[] Statuses = Enum.GetValues<DeadLetterStatus>();

    // Read only when a listener observes, from the store's running counts (no scan); a status with none still reports 0
    // so a dashboard's line drops to zero instead of vanishing.
    private static readonly GaugeDefinition<DeadLetterQueue> SizeGauge = GaugeDefinition<DeadLetterQueue>.GaugeOfMany(
        ResilienceTelemetryNames.DeadLetterSize,
        "{entry}",
        "Entries in dead letter queues, by queue and status.",
        static (queue, into) =>
        {
            var byStatus = queue.Store.GetCounts().ByStatus;
            for (var i = 0; i < Statuses.Length; i++)
            {
                into.Add(new Measurement<int>(
                    byStatus.GetValueOrDefault(Statuses[i]),
                    new KeyValuePair<string, object?>(ResilienceTelemetryNames.QueueTag, queue.Options.Name),
                    new KeyValuePair<string, object?>(ResilienceTelemetryNames.StatusTag, Statuses[i].ToString())));
            }
        });

    private readonly Lock _warnedLock = new();
    private readonly HashSet<string> _warnedWithoutHandler = new(StringComparer.Ordinal);
    private ILogger? _logger;

    internal ILogger Logger => _logger ??= _options.LoggerFactory?.CreateLogger(DeadLetterLog.Category) ?? NullLogger.Instance;

    /// <summary>Warns once per operation type that entries of it wait for a handler (again after one was registered and removed).</summary>
    internal void WarnNoHandler(string operationType)
    {
        lock (_warnedLock)
        {
            if (_warnedWithoutHandler.Count >= MaxWarnedOperationTypes || !_warnedWithoutHandler.Add(operationType))
            {
                return;
            }
        }

        DeadLetterLog.NoHandler(Logger, operationType, _options.Name);
    }

    private void ObserveSize() => _telemetry.Observe(SizeGauge, this);
}
