namespace Resilience.Compensation.Internal;

/// <summary>
/// One registered compensation, stored without a closure: the delegate, its state and a cached invoker that knows
/// their types.
/// </summary>
internal readonly struct CompensationStep
{
    private readonly object _callback;
    private readonly object? _state;
    private readonly Func<object, object?, CancellationToken, ValueTask> _invoker;

    private CompensationStep(object callback, object? state, Func<object, object?, CancellationToken, ValueTask> invoker)
    {
        _callback = callback;
        _state = state;
        _invoker = invoker;
    }

    public static CompensationStep From(Action compensation) => new(compensation, null, static (cb, _, _) =>
    {
        ((Action)cb)();
        return default;
    });

    public static CompensationStep From(Func<CancellationToken, ValueTask> compensation) => new(compensation, null, static (cb, _, ct) => ((Func<CancellationToken, ValueTask>)cb)(ct));

    public static CompensationStep From<TState>(TState state, Func<TState, CancellationToken, ValueTask> compensation) => new(compensation, state, Invoker<TState>.Invoke);

    public ValueTask InvokeAsync(CancellationToken cancellationToken) => _invoker(_callback, _state, cancellationToken);

    private static class Invoker<TState>
    {
        public static readonly Func<object, object?, CancellationToken, ValueTask> Invoke =
            static (cb, state, ct) => ((Func<TState, CancellationToken, ValueTask>)cb)((TState)state!, ct);
    }
}
