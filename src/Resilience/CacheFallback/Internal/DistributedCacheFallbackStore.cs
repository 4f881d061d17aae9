using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Distributed;

namespace Resilience.CacheFallback.Internal;

/// <summary>
/// Stores <c>[format byte][stored-at UTC ticks, 8 bytes little endian][JSON of the value]</c>.
/// </summary>
internal sealed class DistributedCacheFallbackStore<TResult>(IDistributedCache cache, JsonTypeInfo<TResult> typeInfo) : CacheFallbackStore<TResult>
{
    private const byte FormatVersion = 1;
    private const int HeaderLength = 9;

    public override async ValueTask<CachedResult<TResult>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode(bytes);
    }

    public override ValueTask SetAsync(string key, CachedResult<TResult> result, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(result.Value, typeInfo);
        var bytes = new byte[HeaderLength + json.Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), result.StoredAt.UtcTicks);
        json.CopyTo(bytes.AsSpan(HeaderLength));
        return new ValueTask(cache.SetAsync(key, bytes, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = timeToLive }, cancellationToken));
    }

    private CachedResult<TResult>? Decode(byte[] bytes)
    {
        if (bytes.Length < HeaderLength || bytes[0] != FormatVersion)
        {
            return null;
        }

        var ticks = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1));
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }

        try
        {
            var value = JsonSerializer.Deserialize(bytes.AsSpan(HeaderLength), typeInfo);
            return new CachedResult<TResult>(value!, new DateTimeOffset(ticks, TimeSpan.Zero));
        }
        catch (JsonException)
        {
            // Written by another shape of the type, or damaged: not a result to serve.
            return null;
        }
    }
}
