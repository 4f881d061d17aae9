namespace Resilience.CacheFallback;

/// <summary>
/// A result a <see cref="CacheFallbackStore{TResult}"/> holds: the value and when it was stored.
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
/// <param name="Value">The result of a successful call.</param>
/// <param name="StoredAt">When it was stored, from the strategy's <see cref="TimeProvider"/>.</param>
public readonly record struct CachedResult<TResult>(TResult Value, DateTimeOffset StoredAt);
