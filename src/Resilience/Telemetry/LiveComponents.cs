using System.Diagnostics.Metrics;
using Resilience.Bulkhead.Internal;
using Resilience.CircuitBreaker.Internal;
using Resilience.DeadLetter;

namespace Resilience.Telemetry;

/// <summary>
/// Weak lists of the live breakers, bulkheads and queues, read only when a listener observes the gauges.
/// </summary>
internal static class LiveComponents
{
    private static readonly WeakList<CircuitController> Breakers = new();
    private static readonly WeakList<BulkheadLimiter> Bulkheads = new();
    private static readonly WeakList<DeadLetterQueue> Queues = new();

    public static void Add(CircuitController controller) => Breakers.Add(controller);

    public static void Add(BulkheadLimiter limiter) => Bulkheads.Add(limiter);

    public static void Add(DeadLetterQueue queue) => Queues.Add(queue);

    public static IEnumerable<Measurement<int>> CircuitStates()
        => Breakers.Alive().Select(b => new Measurement<int>((int)b.State, new KeyValuePair<string, object?>(ResilienceTelemetryNames.BreakerTag, b.Name)));

    public static IEnumerable<Measurement<int>> BulkheadsInUse()
        => Bulkheads.Alive().Select(b => new Measurement<int>(b.InUse, new KeyValuePair<string, object?>(ResilienceTelemetryNames.BulkheadTag, b.Name)));

    public static IEnumerable<Measurement<int>> BulkheadsQueued()
        => Bulkheads.Alive().Select(b => new Measurement<int>(b.Queued, new KeyValuePair<string, object?>(ResilienceTelemetryNames.BulkheadTag, b.Name)));

    public static IEnumerable<Measurement<int>> DeadLetterSizes()
        => Queues.Alive().Select(q => new Measurement<int>(q.Store.Count));

    private sealed class WeakList<T>
        where T : class
    {
        private readonly Lock _lock = new();
        private readonly List<WeakReference<T>> _items = [];

        public void Add(T item)
        {
            lock (_lock)
            {
                _items.RemoveAll(static w => !w.TryGetTarget(out _));
                _items.Add(new WeakReference<T>(item));
            }
        }

        public List<T> Alive()
        {
            lock (_lock)
            {
                var alive = new List<T>(_items.Count);
                foreach (var weak in _items)
                {
                    if (weak.TryGetTarget(out var item))
                    {
                        alive.Add(item);
                    }
                }

                return alive;
            }
        }
    }
}
