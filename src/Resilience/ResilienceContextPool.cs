using System.Collections.Concurrent;

namespace Resilience;

/// <summary>
/// A pool of <see cref="ResilienceContext"/> instances, so an execution does not allocate one.
/// </summary>
public sealed class ResilienceContextPool
{
    // Each thread owns one context that stays in its slot: renting it sets a flag on the context and returning it
    // clears the flag, so the common case (one execution at a time on a thread) writes no thread-local slot, needs no
    // write barrier and no interlocked work, and returning on another thread after an asynchronous completion
    // needs no thread-local access either (the owner thread simply finds it free again). Nested executions and
    // contexts not owned by a thread go through the shared queue.
    [ThreadStatic]
    private static ResilienceContext? t_owned;

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
        if (context.IsThreadOwned)
        {
            // Released last, after the reset: the owner thread may rent it the moment it reads the flag.
            Volatile.Write(ref context.IsRented, false);
            return;
        }

        ReturnShared(context);
    }

    private ResilienceContext Rent()
    {
        if (TrackOutstanding)
        {
            Interlocked.Increment(ref s_outstanding);
        }

        var context = t_owned;
        if (context is not null && !Volatile.Read(ref context.IsRented))
        {
            context.IsRented = true;
            return context;
        }

        return RentShared(context is null);
    }

    private ResilienceContext RentShared(bool ownedByThisThread)
    {
        if (ownedByThisThread)
        {
            // This thread's first execution: the context it gets becomes its own for good.
            var owned = new ResilienceContext { IsThreadOwned = true, IsRented = true };
            t_owned = owned;
            return owned;
        }

        if (_shared.TryDequeue(out var context))
        {
            Interlocked.Decrement(ref _sharedCount);
            return context;
        }

        return new ResilienceContext();
    }

    private void ReturnShared(ResilienceContext context)
    {
        if (Interlocked.Increment(ref _sharedCount) <= MaxShared)
        {
            _shared.Enqueue(context);
        }
        else
        {
            Interlocked.Decrement(ref _sharedCount);
        }
    }
}
