namespace Resilience.Internal;

/// <summary>
/// Links a strategy to the rest of the pipeline. The state passed down is a struct and the lambda is static, so
/// linking allocates nothing per call.
/// </summary>
internal sealed class ChainedStrategy : ResilienceStrategy
{
    private readonly ResilienceStrategy _strategy;
    private readonly ResilienceStrategy _next;

    public ChainedStrategy(ResilienceStrategy strategy, ResilienceStrategy next)
    {
        _strategy = strategy;
        _next = next;
    }

    protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        return _strategy.ExecuteCore(
            static (ctx, link) => link.Next.ExecuteCore(link.Callback, ctx, link.State),
            context,
            new Link<TResult, TState>(_next, callback, state));
    }

    private readonly struct Link<TResult, TState>
    {
        public Link(ResilienceStrategy next, Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, TState state)
        {
            Next = next;
            Callback = callback;
            State = state;
        }

        public ResilienceStrategy Next { get; }

        public Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> Callback { get; }

        public TState State { get; }
    }
}
