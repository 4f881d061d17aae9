using Microsoft.Extensions.Caching.Memory;

namespace Resilience.CacheFallback.Internal;

internal sealed class MemoryCacheFallbackStore<TResult>(IMemoryCache cache) : CacheFallbackStore<TResult>
{
    public override ValueTask<CachedResult<TResult>?> GetAsync(string key, CancellationToken cancellationToken)
        => new(cache.TryGetValue(key, out var stored) && stored is CachedResultEnvelope<TResult> envelope
            ? new CachedResult<TResult>(envelope.Value, envelope.StoredAt)
            : null);

    public override ValueTask SetAsync(string key, CachedResult<TResult> result, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        cache.Set(key, new CachedResultEnvelope<TResult> { Value = result.Value, StoredAt = result.StoredAt }, timeToLive);
        return default;
    }
}
