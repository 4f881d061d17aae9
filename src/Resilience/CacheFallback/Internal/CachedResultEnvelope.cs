namespace Resilience.CacheFallback.Internal;

/// <summary>
/// What the memory and hybrid adapters put in the cache: a class, so a hit costs no unboxing copy and a hybrid
/// cache's miss can be told from a stored default value.
/// </summary>
internal sealed class CachedResultEnvelope<TResult>
{
    public TResult Value { get; set; } = default!;

    public DateTimeOffset StoredAt { get; set; }
}
