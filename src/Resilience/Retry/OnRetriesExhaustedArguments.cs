namespace Resilience.Retry;

/// <summary>
/// The arguments of <see cref="RetryStrategyOptions{TResult}.OnRetriesExhausted"/>, raised when a handled outcome is
/// returned because no retry is left (attempts, duration or budget).
/// </summary>
/// <typeparam name="TResult">The result type of the strategy.</typeparam>
public readonly struct OnRetriesExhaustedArguments<TResult>
{
    /// <summary>Initializes a new instance of the <see cref="OnRetriesExhaustedArguments{TResult}"/> struct.</summary>
    /// <param name="context">The context of the execution.</param>
    /// <param name="outcome">The final outcome.</param>
    /// <param name="retries">How many retries were made.</param>
    public OnRetriesExhaustedArguments(ResilienceContext context, Outcome<TResult> outcome, int retries)
    {
        Context = context;
        Outcome = outcome;
        Retries = retries;
    }

    /// <summary>Gets the context of the execution.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the final outcome, returned to the caller.</summary>
    public Outcome<TResult> Outcome { get; }

    /// <summary>Gets how many retries were made.</summary>
    public int Retries { get; }
}
