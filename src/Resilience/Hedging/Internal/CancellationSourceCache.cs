namespace Resilience.Hedging.Internal;

/// <summary>
/// Keeps one reusable <see cref="CancellationTokenSource"/> per thread, so an attempt that completes without being
/// cancelled (the common case: the first attempt wins) allocates none.
/// </summary>
internal static class CancellationSourceCache
{
    [ThreadStatic]
    private static CancellationTokenSource? t_source;

    public static CancellationTokenSource Rent()
    {
        var source = t_source;
        if (source is null)
        {
            return new CancellationTokenSource();
        }

        t_source = null;
        return source;
    }

    /// <summary>Takes a source back once nothing can cancel it any more; a cancelled source cannot be reused.</summary>
    public static void Return(CancellationTokenSource source)
    {
        if (t_source is null && source.TryReset())
        {
            t_source = source;
            return;
        }

        source.Dispose();
    }
}
