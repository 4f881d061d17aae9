namespace Resilience;

/// <summary>
/// The base of every strategy in a pipeline. A strategy wraps the rest of the pipeline (the callback it is given)
/// and returns its outcome as a value.
/// </summary>
/// <remarks>
/// Implementations must not throw: failures travel as <see cref="Outcome{TResult}"/> values. The callback given to
/// <see cref="ExecuteCore{TResult, TState}"/> never throws either.
/// </remarks>
public abstract class ResilienceStrategy
{
    /// <summary>
    /// Executes the callback (the rest of the pipeline) under this strategy.
    /// </summary>
    /// <typeparam name="TResult">The result type of the call site.</typeparam>
    /// <typeparam name="TState">The type of the state passed to the callback.</typeparam>
    /// <param name="callback">The rest of the pipeline; it never throws.</param>
    /// <param name="context">The context of the execution.</param>
    /// <param name="state">The state to pass to <paramref name="callback"/>.</param>
    /// <returns>The outcome of the execution.</returns>
    protected internal abstract ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state);

    /// <summary>
    /// Gets a value indicating whether the strategy may call its callback more than once in one execution (a retry
    /// does). An HTTP handler keeps a request body for replay only when some strategy of its pipeline may repeat.
    /// </summary>
    internal virtual bool MayRepeatCallback => false;
}
