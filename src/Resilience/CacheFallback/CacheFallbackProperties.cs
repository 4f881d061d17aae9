namespace Resilience.CacheFallback;

/// <summary>
/// The context properties the cache fallback strategy sets when it serves a stored result, so the caller can tell a
/// fresh result from a stale one.
/// </summary>
public static class CacheFallbackProperties
{
    /// <summary>Gets the key of the age of the stored result that was served; absent when the result is fresh.</summary>
    public static ResiliencePropertyKey<TimeSpan> ServedFromCacheAge { get; } = new("Resilience.CacheFallback.ServedFromCacheAge");
}
