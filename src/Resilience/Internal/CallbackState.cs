using System.Runtime.CompilerServices;

namespace Resilience.Internal;

/// <summary>
/// Carries a user callback and its state through the pipeline as one struct, so no closure is allocated.
/// </summary>
/// <remarks>
/// The callback is held as <see cref="object"/> and its type restored where it is invoked, so the struct's only
/// type argument is the user's state: with a value-type state every generic method on the call path is compiled for
/// exact types, instead of shared code that looks types up at run time because a delegate type argument made the
/// struct canonical (measured: about 10 % of a one-strategy pipeline's success path).
/// </remarks>
/// <typeparam name="TState">The user's state type.</typeparam>
internal readonly struct CallbackState<TState>
{
    private readonly object _callback;

    public CallbackState(object callback, TState state)
    {
        _callback = callback;
        State = state;
    }

    public TState State { get; }

    /// <summary>Returns the callback as the type it was stored with (the overload that stored it knows it).</summary>
    /// <typeparam name="TCallback">The delegate type given to the constructor.</typeparam>
    /// <returns>The callback.</returns>
    public TCallback Callback<TCallback>()
        where TCallback : class
        => Unsafe.As<TCallback>(_callback);
}
