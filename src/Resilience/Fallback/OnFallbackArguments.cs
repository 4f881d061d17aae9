namespace Resilience.Fallback;

/// <summary>
/// The arguments of <see cref="FallbackStrategyOptions{TResult}.OnFallback"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnFallbackArguments<TResult>
{
    /// <summary>
    /// Initializes a new instance of the <see cref="OnFallbackArguments{TResult}"/> struct.
    /// </summary>
    /// <param name="outcome">The outcome being replaced.</param>
    /// <param name="context">The context of the execution.</param>
    /// <param name="fallbackIndex">The position of the fallback about to run, from 0.</param>
    public OnFallbackArguments(Outcome<TResult> outcome, ResilienceContext context, int fallbackIndex)
    {
        Outcome = outcome;
        Context = context;
        FallbackIndex = fallbackIndex;
    }

    /// <summary>
    /// Gets the outcome being replaced.
    /// </summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>
    /// Gets the context of the execution.
    /// </summary>
    public ResilienceContext Context { get; }

    /// <summary>
    /// Gets the position of the fallback about to run, from 0.
    /// </summary>
    public int FallbackIndex { get; }
}
