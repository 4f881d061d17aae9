using System.Collections.Concurrent;

namespace Resilience.Internal;

/// <summary>
/// Reuses <see cref="CancellationTokenSource"/> instances whose timers run on a given <see cref="TimeProvider"/>,
/// so a timed call that completes in time allocates nothing.
/// </summary>
internal sealed class CancellationTokenSourcePool
{
    // One source per thread serves the common case (rent and return on one thread) without interlocked work; it
    // remembers the provider it was built for, since a source's timer belongs to one provider for life.
    [ThreadStatic]
    private static CancellationTokenSource? t_source;

    [ThreadStatic]
    private static TimeProvider? t_sourceProvider;

    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentQueue<CancellationTokenSource> _sources = new();

    public CancellationTokenSourcePool(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public CancellationTokenSource Rent(TimeSpan delay)
    {
        var source = t_source;
        if (source is not null && ReferenceEquals(t_sourceProvider, _timeProvider))
        {
            t_source = null;
        }
        else if (!_sources.TryDequeue(out source))
        {
            // A source built with a non-system provider keeps that provider's timer for every later CancelAfter,
            // so a FakeTimeProvider drives the timeout in tests.
            source = ReferenceEquals(_timeProvider, TimeProvider.System)
                ? new CancellationTokenSource()
                : new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, _timeProvider);
        }

        source.CancelAfter(delay);
        return source;
    }

    public void Return(CancellationTokenSource source)
    {
        // A cancelled source cannot be reset; it leaves the pool.
        if (!source.TryReset())
        {
            source.Dispose();
            return;
        }

        if (t_source is null)
        {
            t_source = source;
            t_sourceProvider = _timeProvider;
        }
        else
        {
            _sources.Enqueue(source);
        }
    }
}
