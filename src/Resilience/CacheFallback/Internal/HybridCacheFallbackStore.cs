using Microsoft.Extensions.Caching.Hybrid;

namespace Resilience.CacheFallback.Internal;

internal sealed class HybridCacheFallbackStore<TResult>(HybridCache cache) : CacheFallbackStore<TResult>
{
    // HybridCache has no plain read: a get-or-create whose factory reports a miss and whose "create" writes nothing.
    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    public override async ValueTask<CachedResult<TResult>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var envelope = await cache.GetOrCreateAsync<CachedResultEnvelope<TResult>?>(
            key,
            static _ => new ValueTask<CachedResultEnvelope<TResult>?>((CachedResultEnvelope<TResult>?)null),
            ReadOnly,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return envelope is null ? null : new CachedResult<TResult>(envelope.Value, envelope.StoredAt);
    }

    public override ValueTask SetAsync(string key, CachedResult<TResult> result, TimeSpan timeToLive, CancellationToken cancellationToken)
        => cache.SetAsync(
            key,
            new CachedResultEnvelope<TResult> { Value = result.Value, StoredAt = result.StoredAt },
            new HybridCacheEntryOptions { Expiration = timeToLive, LocalCacheExpiration = timeToLive },
            cancellationToken: cancellationToken);
}
