using System.Collections.Concurrent;

namespace Resilience.Internal;

/// <summary>
/// Reuses <see cref="CancellationTokenSource"/> instances whose timers run on a given <see cref="TimeProvider"/>,
/// so a timed call that completes in time allocates nothing.
/// </summary>
internal sealed class CancellationTokenSourcePool
{
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentQueue<CancellationTokenSource> _sources = new();

    public CancellationTokenSourcePool(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public CancellationTokenSource Rent(TimeSpan delay)
    {
        if (!_sources.TryDequeue(out var source))
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
        if (source.TryReset())
        {
            _sources.Enqueue(source);
        }
        else
        {
            source.Dispose();
        }
    }
}
