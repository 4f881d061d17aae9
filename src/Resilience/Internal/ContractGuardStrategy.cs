namespace Resilience.Internal;

/// <summary>
/// Wraps a strategy written outside this library so that a breach of the never-throw contract (a synchronous throw,
/// or a faulted task instead of an outcome) becomes that strategy's outcome, which the strategies around it then see
/// like any other failure.
/// </summary>
/// <remarks>
/// The library's own strategies keep the contract, so a pipeline of them runs without any exception handler on its
/// success path: a handler around the whole walk kept the JIT from inlining it and cost about a fifth of a
/// one-strategy pipeline's success path. Only strategies from other assemblies pay for the guard.
/// </remarks>
internal sealed class ContractGuardStrategy : ResilienceStrategy
{
    private readonly ResilienceStrategy _inner;

    private ContractGuardStrategy(ResilienceStrategy inner) => _inner = inner;

    /// <summary>Gets the guarded strategy.</summary>
    internal ResilienceStrategy Inner => _inner;

    internal override bool MayRepeatCallback => _inner.MayRepeatCallback;

    /// <summary>Returns the strategy as it is, when it is one of this library's, or guarded.</summary>
    /// <param name="strategy">A strategy about to join a pipeline.</param>
    /// <returns>The strategy to put in the chain.</returns>
    public static ResilienceStrategy GuardIfForeign(ResilienceStrategy strategy)
        => strategy.GetType().Assembly == typeof(ContractGuardStrategy).Assembly ? strategy : new ContractGuardStrategy(strategy);

    protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        ValueTask<Outcome<TResult>> pending;
#pragma warning disable CA1031 // Whatever the foreign strategy throws is its outcome.
        try
        {
            pending = _inner.ExecuteCore(callback, context, state);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        return pending.IsCompletedSuccessfully ? pending : CallbackInvoker.AwaitOutcomeAsync(pending);
    }
}
