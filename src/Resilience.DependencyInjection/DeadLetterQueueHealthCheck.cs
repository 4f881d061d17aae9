using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection;

/// <summary>
/// Reports the dead letter queue's backlog: <see cref="HealthStatus.Degraded"/> or <see cref="HealthStatus.Unhealthy"/>
/// when pending entries or the oldest pending entry's age pass the thresholds, with the counts in the data; and
/// <see cref="HealthStatus.Unhealthy"/> whatever the backlog when its <see cref="FileDeadLetterStore"/> is faulted.
/// </summary>
public sealed class DeadLetterQueueHealthCheck : IHealthCheck
{
    private readonly DeadLetterQueue _queue;
    private readonly DeadLetterHealthThresholds _thresholds;

    /// <summary>
    /// Initializes a new instance of the <see cref="DeadLetterQueueHealthCheck"/> class.
    /// </summary>
    /// <param name="queue">The queue to watch.</param>
    /// <param name="thresholds">The thresholds.</param>
    public DeadLetterQueueHealthCheck(DeadLetterQueue queue, DeadLetterHealthThresholds thresholds)
    {
        _queue = queue;
        _thresholds = thresholds;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statistics = _queue.GetStatistics();
        var age = statistics.OldestPendingAge ?? TimeSpan.Zero;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["pending"] = statistics.ByStatus.GetValueOrDefault(DeadLetterStatus.Pending),
            ["retrying"] = statistics.ByStatus.GetValueOrDefault(DeadLetterStatus.Retrying),
            ["recovered"] = statistics.Recovered,
            ["exhausted"] = statistics.Exhausted,
            ["discarded"] = statistics.Discarded,
            // A comma-separated string, not a list: health writers print data values with ToString().
            ["operationTypesWithoutHandler"] = string.Join(", ", statistics.OperationTypesWithoutHandler),
            ["total"] = statistics.TotalFailed,
            ["oldestPendingAgeSeconds"] = age.TotalSeconds,
            ["faulted"] = false,
        };

        // A faulted store refuses every write until reopened, so new failures are lost: that outranks any backlog.
        if (_queue.Store is FileDeadLetterStore { IsFaulted: true } faulted)
        {
            data["faulted"] = true;
            var cause = faulted.Fault?.InnerException?.Message ?? faulted.Fault?.Message ?? "unknown";
            return Task.FromResult(new HealthCheckResult(
                HealthStatus.Unhealthy,
                $"The dead letter store is faulted: a write or flush to its directory failed ({cause}), and it accepts no new dead letters until it is reopened (fix the disk, then restart). {statistics.Pending} pending dead letter(s).",
                faulted.Fault,
                data));
        }

        var status = statistics.Pending >= _thresholds.UnhealthyPending || age >= _thresholds.UnhealthyAge ? HealthStatus.Unhealthy
            : statistics.Pending >= _thresholds.DegradedPending || age >= _thresholds.DegradedAge ? HealthStatus.Degraded
            : HealthStatus.Healthy;
        var orphans = statistics.OperationTypesWithoutHandler.Count == 0 ? string.Empty
            : $" No handler is registered for: {string.Join(", ", statistics.OperationTypesWithoutHandler)} (their entries stay pending).";
        return Task.FromResult(new HealthCheckResult(status, $"{statistics.Pending} pending dead letter(s), oldest {age}.{orphans}", data: data));
    }
}
