using Resilience.Internal;

namespace Resilience;

public sealed partial class ResiliencePipeline
{
    /// <summary>
    /// Executes synchronous work that returns a result, on the calling thread.
    /// </summary>
    /// <remarks>
    /// On a synchronous call the built-in strategies wait synchronously: a retry delay or a bulkhead queue is a wait of
    /// the calling thread on the pipeline's <see cref="TimeProvider"/>, not on a task. The calling thread blocks on a
    /// task only when something in the pipeline completes asynchronously: a rate limiter that queues the call, an event
    /// callback (<c>OnRetry</c>, <c>OnTimeout</c>, ...), a generator or a fallback action that returns an incomplete
    /// <see cref="ValueTask"/>, or a custom strategy. The same holds for every <c>Execute</c> overload.
    /// </remarks>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult>(Func<CancellationToken, TResult> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunSync(
            static (context, cb) => CallbackInvoker.InvokeSync(static (f, ct) => f(ct), cb, context),
            callback,
            cancellationToken);
    }

    /// <summary>
    /// Executes synchronous work that returns a result, on the calling thread.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult>(Func<TResult> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunSync(
            static (context, cb) => CallbackInvoker.InvokeSync(static (f, _) => f(), cb, context),
            callback,
            CancellationToken.None);
    }

    /// <summary>
    /// Executes synchronous work that returns a result, passing it a state argument.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult, TState>(Func<TState, CancellationToken, TResult> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunSync(
            static (context, s) => CallbackInvoker.InvokeSync(s.Callback<Func<TState, CancellationToken, TResult>>(), s.State, context),
            new CallbackState<TState>(callback, state),
            cancellationToken);
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, on the calling thread.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void Execute(Action<CancellationToken> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RunSync(
            static (context, cb) => CallbackInvoker.InvokeSync(
                static (f, ct) =>
                {
                    f(ct);
                    return VoidResult.Instance;
                },
                cb,
                context),
            callback,
            cancellationToken);
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, on the calling thread.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void Execute(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RunSync(
            static (context, cb) => CallbackInvoker.InvokeSync(
                static (f, _) =>
                {
                    f();
                    return VoidResult.Instance;
                },
                cb,
                context),
            callback,
            CancellationToken.None);
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, passing it a state argument.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void Execute<TState>(Action<TState, CancellationToken> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RunSync(
            static (context, s) => CallbackInvoker.InvokeSync(
                static (x, ct) =>
                {
                    x.Callback<Action<TState, CancellationToken>>()(x.State, ct);
                    return VoidResult.Instance;
                },
                s,
                context),
            new CallbackState<TState>(callback, state),
            cancellationToken);
    }

    /// <summary>
    /// Executes synchronous work that returns a result, passing it a state argument (Polly's shape, without a token).
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult, TState>(Func<TState, TResult> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunSync(
            static (context, s) => CallbackInvoker.InvokeSync(static (x, _) => x.Callback<Func<TState, TResult>>()(x.State), s, context),
            new CallbackState<TState>(callback, state),
            CancellationToken.None);
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, passing it a state argument (Polly's shape, without a token).
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void Execute<TState>(Action<TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RunSync(
            static (context, s) => CallbackInvoker.InvokeSync(
                static (x, _) =>
                {
                    x.Callback<Action<TState>>()(x.State);
                    return VoidResult.Instance;
                },
                s,
                context),
            new CallbackState<TState>(callback, state),
            CancellationToken.None);
    }
}
