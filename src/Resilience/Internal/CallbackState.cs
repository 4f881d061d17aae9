namespace Resilience.Internal;

/// <summary>
/// Carries a user callback and its state through the pipeline as one struct, so no closure is allocated.
/// </summary>
internal readonly struct CallbackState<TCallback, TState>
{
    public CallbackState(TCallback callback, TState state)
    {
        Callback = callback;
        State = state;
    }

    public TCallback Callback { get; }

    public TState State { get; }
}
