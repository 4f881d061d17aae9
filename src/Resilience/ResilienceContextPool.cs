using System.Collections.Concurrent;

namespace Resilience;

/// <summary>
/// A pool of <see cref="ResilienceContext"/> instances, so an execution does not allocate one.
/// </summary>
public sealed class ResilienceContextPool
{
    // A per-thread slot serves the common case (get and return on one thread) without any interlocked work;
    // the shared queue catches contexts returned on another thread after an asynchronous completion.
    [ThreadStatic]
    private static ResilienceContext? t_cached;

    private const int MaxShared = 1024;

    // Leak checks for tests: off by default, so the hot path pays one static read and no interlocked work.
    private static int s_outstanding;

    private readonly ConcurrentQueue<ResilienceContext> _shared = new();
    private int _sharedCount;

    private ResilienceContextPool()
    {
    }

    /// <summary>
    /// Gets the process-wide pool.
    /// </summary>
    public static ResilienceContextPool Shared { get; } = new();

    /// <summary>Gets or sets a value indicating whether rented and returned contexts are counted (tests only).</summary>
    internal static bool TrackOutstanding { get; set; }

    /// <summary>Gets how many contexts were rented and not returned while <see cref="TrackOutstanding"/> was on.</summary>
    internal static int Outstanding => Volatile.Read(ref s_outstanding);

    /// <summary>
    /// Gets a context initialized with the given cancellation token.
    /// </summary>
    /// <param name="cancellationToken">The token of the execution.</param>
    /// <returns>A context; return it with <see cref="Return"/>.</returns>
    public ResilienceContext Get(CancellationToken cancellationToken = default) => Get(null, cancellationToken);

    /// <summary>
    /// Gets a context initialized with an operation key and a cancellation token.
    /// </summary>
    /// <param name="operationKey">The key that identifies the operation in telemetry.</param>
    /// <param name="cancellationToken">The token of the execution.</param>
    /// <returns>A context; return it with <see cref="Return"/>.</returns>
    public ResilienceContext Get(string? operationKey, CancellationToken cancellationToken = default)
    {
        var context = Rent();
        context.Initialize(operationKey, isSynchronous: false, cancellationToken);
        return context;
    }

    internal ResilienceContext Get(bool isSynchronous, CancellationToken cancellationToken)
    {
        var context = Rent();
        context.Initialize(null, isSynchronous, cancellationToken);
        return context;
    }

    /// <summary>
    /// Returns a context to the pool. The context must not be used afterwards.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public void Return(ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (TrackOutstanding)
        {
            Interlocked.Decrement(ref s_outstanding);
        }

        context.Reset();
        if (t_cached is null)
        {
            t_cached = context;
            return;
        }

        if (Interlocked.Increment(ref _sharedCount) <= MaxShared)
        {
            _shared.Enqueue(context);
        }
        else
        {
            Interlocked.Decrement(ref _sharedCount);
        }
    }

    private ResilienceContext Rent()
    {
        if (TrackOutstanding)
        {
            Interlocked.Increment(ref s_outstanding);
        }

        var context = t_cached;
        if (context is not null)
        {
            t_cached = null;
            return context;
        }

        if (_shared.TryDequeue(out context))
        {
            Interlocked.Decrement(ref _sharedCount);
            return context;
        }

        return new ResilienceContext();
    }
}
