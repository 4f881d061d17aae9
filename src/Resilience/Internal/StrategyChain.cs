using System.Runtime.CompilerServices;

namespace Resilience.Internal;

/// <summary>
/// The strategies of a pipeline, outermost first, and the walk through them. The state passed down is one struct
/// type for every level (the strategy array and an index), so linking allocates nothing per call, and no generic
/// instantiation nests inside another: a chain whose state type grew by one wrapper per level would be an unbounded
/// generic recursion to a native AOT compiler, which cannot know how deep a pipeline will be.
/// </summary>
/// <remarks>
/// The chain is deliberately not a <see cref="ResilienceStrategy"/>: if it overrode <c>ExecuteCore</c>, the AOT
/// compiler would have to assume a strategy's inner call could land in it and instantiate the walk again, one
/// wrapper deeper, without end.
/// </remarks>
internal sealed class StrategyChain
{
    private volatile ResilienceStrategy[] _strategies;

    public StrategyChain(ResilienceStrategy[] strategies)
    {
        // Guarded here, where every chain (built, composed, reloaded) is made, so no walk needs a handler of its own.
        for (var i = 0; i < strategies.Length; i++)
        {
            strategies[i] = ContractGuardStrategy.GuardIfForeign(strategies[i]);
        }

        _strategies = strategies;
    }

    /// <summary>Gets a chain without strategies (the empty pipeline's).</summary>
    public static StrategyChain None { get; } = new([]);

    /// <summary>Gets what the pipeline created for itself and disposes with itself.</summary>
    public OwnedResources? Owned { get; init; }

    /// <summary>Gets the strategies, outermost first (tests inspect what they hold).</summary>
    public IReadOnlyList<ResilienceStrategy> Strategies => _strategies;

    /// <summary>Gets or sets what keeps a configuration-change subscription alive as long as the pipeline.</summary>
    public IDisposable? ReloadSubscription { get; set; }

    /// <summary>
    /// Replaces the strategies with another chain's (a configuration reload). Calls in flight finish on the array
    /// they started with.
    /// </summary>
    public void ReplaceWith(StrategyChain? other) => _strategies = other?._strategies ?? [];

    /// <summary>Gets the chain's only strategy, or <see langword="null"/> when it has none or several.</summary>
    public ResilienceStrategy? Single => _strategies is [var only] ? only : null;

    // The only strategy's ExecuteCore, resolved once for the first result and state types it is called with (a
    // strategy's generic virtual method is otherwise looked up on every call, and on a shared generic strategy type
    // such as the non-generic pipeline's RetryStrategy<object> reached through an instantiating stub: about 2 ns of a
    // one-strategy call, measured). Made for one strategy instance, so a reload makes a new one.
    private object? _singleCall;

    /// <summary>
    /// Gets <paramref name="single"/>'s <c>ExecuteCore</c> for these types as a delegate, or <see langword="null"/> when
    /// the cached one is for other types (those calls dispatch as usual: nothing is allocated per call).
    /// </summary>
    public Func<Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>>, ResilienceContext, TState, ValueTask<Outcome<TResult>>>? SingleCall<TResult, TState>(ResilienceStrategy single)
    {
        var cached = _singleCall;
        if (cached is SingleStrategyCall<TResult, TState> call)
        {
            return ReferenceEquals(call.Strategy, single) ? call.Invoke : MakeSingleCall<TResult, TState>(single);
        }

        return cached is null ? MakeSingleCall<TResult, TState>(single) : null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Func<Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>>, ResilienceContext, TState, ValueTask<Outcome<TResult>>> MakeSingleCall<TResult, TState>(ResilienceStrategy single)
    {
        // Made once per pipeline (and again after a reload); two threads making it at once each use their own.
        var call = new SingleStrategyCall<TResult, TState>(single, single.ExecuteCore<TResult, TState>);
        _singleCall = call;
        return call.Invoke;
    }

    private sealed class SingleStrategyCall<TResult, TState>(
        ResilienceStrategy strategy,
        Func<Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>>, ResilienceContext, TState, ValueTask<Outcome<TResult>>> invoke)
    {
        public ResilienceStrategy Strategy { get; } = strategy;

        public Func<Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>>, ResilienceContext, TState, ValueTask<Outcome<TResult>>> Invoke { get; } = invoke;
    }

    /// <summary>Gets a value indicating whether some strategy of the chain may run the callback more than once.</summary>
    public bool MayRepeatCallback => Array.Exists(_strategies, static s => s.MayRepeatCallback);

    // Not inlined, and one return statement per branch rather than a switch expression: the strategy writes its
    // outcome straight into the caller's return slot. Inlined (or through an expression's temporary), the JIT
    // copied the 32-byte task whole with wide loads right after the callee wrote it field by field, a stalled
    // store-to-load forward per copy (measured with perf: a third of a one-strategy call's samples sat on them).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<Outcome<TResult>> Execute<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var strategies = _strategies;
        if (strategies.Length == 1)
        {
            return strategies[0].ExecuteCore(callback, context, state);
        }

        if (strategies.Length == 0)
        {
            return callback(context, state);
        }

        return strategies[0].ExecuteCore(
            static (ctx, link) => Next(ctx, link),
            context,
            new Link<TResult, TState>(strategies, 0, callback, state));
    }

    private static ValueTask<Outcome<TResult>> Next<TResult, TState>(ResilienceContext context, Link<TResult, TState> link)
    {
        var index = link.Index + 1;
        var strategies = link.Strategies;

        // The innermost strategy calls the user's callback directly; the others call back into the walk.
        return index == strategies.Length - 1
            ? strategies[index].ExecuteCore(link.Callback, context, link.State)
            : strategies[index].ExecuteCore(
                static (ctx, next) => Next(ctx, next),
                context,
                new Link<TResult, TState>(strategies, index, link.Callback, link.State));
    }

    private readonly struct Link<TResult, TState>
    {
        public Link(ResilienceStrategy[] strategies, int index, Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, TState state)
        {
            Strategies = strategies;
            Index = index;
            Callback = callback;
            State = state;
        }

        public ResilienceStrategy[] Strategies { get; }

        public int Index { get; }

        public Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> Callback { get; }

        public TState State { get; }
    }
}
