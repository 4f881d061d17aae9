namespace Resilience.CacheFallback;

/// <summary>
/// The arguments of <see cref="CacheFallbackStrategyOptions{TResult}.OnServedFromCache"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnServedFromCacheArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="OnServedFromCacheArguments{TResult}"/> struct.</summary>
    /// <param name="failure">The failed outcome being replaced.</param>
    /// <param name="context">The context of the execution.</param>
    /// <param name="key">The call's key (without the prefix).</param>
    /// <param name="cached">The stored result served instead.</param>
    /// <param name="age">How old the stored result is.</param>
    public OnServedFromCacheArguments(Outcome<TResult> failure, ResilienceContext context, string key, CachedResult<TResult> cached, TimeSpan age)
    {
        Failure = failure;
        Context = context;
        Key = key;
        Cached = cached;
        Age = age;
    }

    /// <summary>Gets the failed outcome being replaced.</summary>
    public Outcome<TResult> Failure { get; }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the call's key (without the prefix).</summary>
    public string Key { get; }

    /// <summary>Gets the stored result served instead.</summary>
    public CachedResult<TResult> Cached { get; }

    /// <summary>Gets how old the stored result is.</summary>
    public TimeSpan Age { get; }
}
