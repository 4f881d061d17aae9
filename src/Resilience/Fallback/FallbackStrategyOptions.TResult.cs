namespace Resilience.Fallback;

/// <summary>
/// Options of the fallback strategy: which outcomes to replace, and the chain of fallbacks that replace them.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline.</typeparam>
public class FallbackStrategyOptions<TResult> : ResilienceStrategyOptions
{
    private static readonly Func<Outcome<TResult>, bool> AnyException = static outcome => outcome.Exception is not null;

    /// <summary>
    /// Gets or sets the rule that says which outcomes the fallback replaces. Cancellation requested by the caller
    /// is never replaced.
    /// </summary>
    /// <value>The default handles every exception and no result.</value>
    public Func<Outcome<TResult>, bool> ShouldHandle { get; set; } = AnyException;

    /// <summary>
    /// Gets or sets a rule that also sees the call's context (Polly's predicate arguments). When set it replaces
    /// <see cref="ShouldHandle"/>, which is then not consulted. The caller's cancellation is never handled either way.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ShouldHandle"/> decides.</value>
    /// <remarks>
    /// It is synchronous, like <see cref="ShouldHandle"/>: a decision per attempt stays free of a task. The outcome-only
    /// <see cref="ShouldHandle"/> remains the cheaper form (it lets a non-generic pipeline skip judging successful results).
    /// </remarks>
    public Func<FallbackPredicateArguments<TResult>, bool>? ShouldHandleWithArguments { get; set; }

    /// <summary>
    /// Gets the chain of fallbacks, tried in order: the first runs when the work's outcome is handled; each next one
    /// runs when the previous fallback's outcome is handled too. The last outcome is returned either way.
    /// </summary>
    /// <remarks>It must hold at least one action when the strategy is added.</remarks>
    public IList<Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>> FallbackActions { get; } =
        new List<Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>>();

    /// <summary>
    /// Gets or sets a callback raised before each fallback runs. An exception it throws ends the chain and becomes the
    /// call's outcome.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnFallbackArguments<TResult>, ValueTask>? OnFallback { get; set; }

    internal bool UsesDefaultShouldHandle => ReferenceEquals(ShouldHandle, AnyException);
}
