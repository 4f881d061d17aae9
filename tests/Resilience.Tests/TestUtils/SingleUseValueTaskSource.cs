using System.Threading.Tasks.Sources;

namespace Resilience.Tests.TestUtils;

/// <summary>
/// A completed <see cref="ValueTask{TResult}"/> backed by a pooled-style source: reading its result recycles the
/// source, so a second read (or status check) throws, as it does for the runtime's pooled async methods.
/// </summary>
internal sealed class SingleUseValueTaskSource<T> : IValueTaskSource<T>
{
    private ManualResetValueTaskSourceCore<T> _core;

    public int Reads { get; private set; }

    public static (ValueTask<T> Task, SingleUseValueTaskSource<T> Source) Completed(T value)
    {
        var source = new SingleUseValueTaskSource<T>();
        source._core.SetResult(value);
        return (new ValueTask<T>(source, source._core.Version), source);
    }

    public T GetResult(short token)
    {
        var result = _core.GetResult(token);
        Reads++;
        _core.Reset();
        return result;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
