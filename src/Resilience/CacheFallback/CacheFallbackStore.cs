using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Resilience.CacheFallback.Internal;

namespace Resilience.CacheFallback;

/// <summary>
/// Creates <see cref="CacheFallbackStore{TResult}"/> adapters over the .NET caching abstractions.
/// </summary>
public static class CacheFallbackStore
{
    /// <summary>
    /// Keeps results in an <see cref="IMemoryCache"/> (one process; the value itself is kept, not a copy).
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache, for example the container's (<c>services.AddMemoryCache()</c>).</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> is <see langword="null"/>.</exception>
    public static CacheFallbackStore<TResult> FromMemoryCache<TResult>(IMemoryCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return new MemoryCacheFallbackStore<TResult>(cache);
    }

    /// <summary>
    /// Keeps results in an <see cref="IDistributedCache"/> (Redis, SQL Server...), serialized with
    /// <paramref name="typeInfo"/>, so every instance of a service shares them and they survive a restart.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="typeInfo">The result's JSON contract (from a source-generated <c>JsonSerializerContext</c>).</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    /// <remarks>An entry that does not decode (written by another version of the type, damaged) counts as absent.</remarks>
    public static CacheFallbackStore<TResult> FromDistributedCache<TResult>(IDistributedCache cache, JsonTypeInfo<TResult> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new DistributedCacheFallbackStore<TResult>(cache, typeInfo);
    }

    /// <summary>
    /// Keeps results in a <see cref="HybridCache"/> (a local tier, and the distributed cache it is configured with),
    /// serialized by the serializers configured on it.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache, for example the container's (<c>services.AddHybridCache()</c>).</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> is <see langword="null"/>.</exception>
    public static CacheFallbackStore<TResult> FromHybridCache<TResult>(HybridCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return new HybridCacheFallbackStore<TResult>(cache);
    }
}
