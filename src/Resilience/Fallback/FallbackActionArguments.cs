namespace Resilience.Fallback;

/// <summary>
/// The arguments of a fallback action.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct FallbackActionArguments<TResult>
{
    /// <summary>
    /// Initializes a new instance of the <see cref="FallbackActionArguments{TResult}"/> struct.
    /// </summary>
    /// <param name="outcome">The outcome being replaced.</param>
    /// <param name="context">The context of the execution.</param>
    /// <param name="fallbackIndex">The position of this action in the chain, from 0.</param>
    /// <param name="resultType">The result type the call site expects.</param>
    public FallbackActionArguments(Outcome<TResult> outcome, ResilienceContext context, int fallbackIndex, Type resultType)
    {
        Outcome = outcome;
        Context = context;
        FallbackIndex = fallbackIndex;
        ResultType = resultType;
    }

    /// <summary>
    /// Gets the outcome being replaced: the work's, or the previous fallback's.
    /// </summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>
    /// Gets the context of the execution; its token is the caller's.
    /// </summary>
    public ResilienceContext Context { get; }

    /// <summary>
    /// Gets the position of this action in the chain, from 0.
    /// </summary>
    public int FallbackIndex { get; }

    /// <summary>
    /// Gets the result type the call site expects (useful on non-generic pipelines).
    /// </summary>
    public Type ResultType { get; }
}
