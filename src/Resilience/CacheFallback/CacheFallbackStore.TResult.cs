namespace Resilience.CacheFallback;

/// <summary>
/// Where the cache fallback strategy keeps the last good result of each key. Use the adapters of
/// <see cref="CacheFallbackStore"/> over the .NET caching abstractions, or derive your own.
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
/// <remarks>
/// Implementations must be thread-safe. An exception they throw never fails the caller's call: the strategy reports
/// it in telemetry and goes on as if the key were absent (a read) or as if nothing were stored (a write).
/// </remarks>
public abstract class CacheFallbackStore<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="CacheFallbackStore{TResult}"/> class.</summary>
    protected CacheFallbackStore()
    {
    }

    /// <summary>
    /// Reads the result stored under <paramref name="key"/>.
    /// </summary>
    /// <param name="key">The key, with the strategy's prefix.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The stored result, or <see langword="null"/> when there is none.</returns>
    public abstract ValueTask<CachedResult<TResult>?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="result"/> under <paramref name="key"/>, replacing what was there.
    /// </summary>
    /// <param name="key">The key, with the strategy's prefix.</param>
    /// <param name="result">The result and when it was stored.</param>
    /// <param name="timeToLive">How long the entry can serve (the strategy's maximum staleness): a cache may evict it after that.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task that completes when the result is stored.</returns>
    public abstract ValueTask SetAsync(string key, CachedResult<TResult> result, TimeSpan timeToLive, CancellationToken cancellationToken);
}
