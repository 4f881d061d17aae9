namespace Resilience.CacheFallback;

/// <summary>
/// Options of the cache fallback strategy: remember each key's last good result, serve it when a later call fails.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline.</typeparam>
public class CacheFallbackStrategyOptions<TResult> : ResilienceStrategyOptions
{
    private static readonly Func<Outcome<TResult>, bool> AnyException = static outcome => outcome.Exception is not null;
    private static readonly Func<ResilienceContext, string?> ByOperationKey = static context => context.OperationKey;

    /// <summary>
    /// Gets or sets where results are kept. Required.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: set one of <see cref="CacheFallback.CacheFallbackStore"/>'s adapters.</value>
    public CacheFallbackStore<TResult>? Store { get; set; }

    /// <summary>
    /// Gets or sets how a call's key is chosen. A call whose key is <see langword="null"/> passes through untouched
    /// (nothing stored, nothing served).
    /// </summary>
    /// <value>The default is the context's <see cref="ResilienceContext.OperationKey"/>.</value>
    public Func<ResilienceContext, string?> KeySelector { get; set; } = ByOperationKey;

    /// <summary>
    /// Gets or sets the prefix put before every key in the store, so the strategy's entries cannot collide with the
    /// application's own entries in a shared cache.
    /// </summary>
    /// <value>The default value is <c>"resilience:last-known-good:"</c>.</value>
    public string KeyPrefix { get; set; } = "resilience:last-known-good:";

    /// <summary>
    /// Gets or sets how old a stored result may be and still be served; older results are not served (and a cache may
    /// evict them). Between 1 tick and 365 days.
    /// </summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets which failed outcomes are replaced by a stored result. Cancellation requested by the caller is
    /// never replaced. An outcome this rule does not handle and that holds a result is stored.
    /// </summary>
    /// <value>The default handles every exception (including an open circuit or a timeout) and no result.</value>
    public Func<Outcome<TResult>, bool> ShouldHandle { get; set; } = AnyException;

    /// <summary>
    /// Gets or sets which successful results are stored.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every result <see cref="ShouldHandle"/> does not handle is stored.</value>
    public Func<TResult, bool>? ShouldStore { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when a stored result replaces a failure. An exception it throws becomes the
    /// call's outcome.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnServedFromCacheArguments<TResult>, ValueTask>? OnServedFromCache { get; set; }

    internal bool UsesDefaultShouldHandle => ReferenceEquals(ShouldHandle, AnyException);
}
