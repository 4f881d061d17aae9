namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// The single strategy of a configured pipeline: it forwards to the strategies built from the current settings, and a
/// configuration change swaps them atomically; calls in flight finish on the strategies they started with.
/// </summary>
internal sealed class ReloadingStrategy : ResilienceStrategy
{
    private volatile ResilienceStrategy? _current;

    public ReloadingStrategy(ResilienceStrategy? current) => _current = current;

    public IDisposable? Subscription { get; set; }

    public void Swap(ResilienceStrategy? next) => _current = next;

    protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var current = _current;
        return current is null ? callback(context, state) : current.ExecuteCore(callback, context, state);
    }
}
