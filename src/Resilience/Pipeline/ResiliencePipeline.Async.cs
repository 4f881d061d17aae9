using System.Runtime.CompilerServices;
using Resilience.Internal;

namespace Resilience;

public sealed partial class ResiliencePipeline
{
    /// <summary>
    /// Executes an asynchronous callback that returns a result.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect; it receives the execution's cancellation token.</param>
    /// <param name="cancellationToken">The caller's token; its cancellation is reported as <see cref="OperationCanceledException"/>.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunAsync(
            static (context, cb) => CallbackInvoker.InvokeAsync(static (f, ct) => f(ct), cb, context),
            callback,
            cancellationToken);
    }

    /// <summary>
    /// Executes an asynchronous callback that returns a result, passing it a state argument so that the callback
    /// can be a <see langword="static"/> lambda that allocates nothing.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (_chain is null)
        {
            return ExecuteDirect(callback, state, cancellationToken);
        }

        return RunAsync(
            static (context, s) => CallbackInvoker.InvokeAsync(s.Callback<Func<TState, CancellationToken, ValueTask<TResult>>>(), s.State, context),
            new CallbackState<TState>(callback, state),
            cancellationToken);
    }

    /// <summary>
    /// Executes an asynchronous callback that returns nothing.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task that completes when the work (and any retries) is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Discard(RunAsync(
            static (context, cb) => CallbackInvoker.InvokeAsync(static (f, ct) => CallbackInvoker.ToVoid(f(ct)), cb, context),
            callback,
            cancellationToken));
    }

    /// <summary>
    /// Executes an asynchronous callback that returns nothing, passing it a state argument.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task that completes when the work is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Discard(RunAsync(
            static (context, s) => CallbackInvoker.InvokeAsync(static (x, ct) => CallbackInvoker.ToVoid(x.Callback<Func<TState, CancellationToken, ValueTask>>()(x.State, ct)), s, context),
            new CallbackState<TState>(callback, state),
            cancellationToken));
    }

    /// <summary>
    /// Executes a <see cref="Task"/>-returning callback that returns nothing.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task that completes when the work is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask ExecuteAsync(Func<CancellationToken, Task> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Discard(RunAsync(
            static (context, cb) => CallbackInvoker.InvokeAsync(static (f, ct) => CallbackInvoker.ToVoid(f(ct)), cb, context),
            callback,
            cancellationToken));
    }

    /// <summary>
    /// Executes a <see cref="Task{TResult}"/>-returning callback, such as <c>ct =&gt; http.GetStringAsync(url, ct)</c>.
    /// </summary>
    /// <remarks>Async lambdas bind to the <see cref="ValueTask{TResult}"/> overload, which allocates less.</remarks>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, Task<TResult>> callback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunAsync(
            static (context, cb) => CallbackInvoker.InvokeAsync(static (f, ct) => new ValueTask<TResult>(f(ct)), cb, context),
            callback,
            cancellationToken);
    }

    /// <summary>
    /// Executes a <see cref="Task{TResult}"/>-returning callback with a state argument.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(Func<TState, CancellationToken, Task<TResult>> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunAsync(
            static (context, s) => CallbackInvoker.InvokeAsync(static (x, ct) => new ValueTask<TResult>(x.Callback<Func<TState, CancellationToken, Task<TResult>>>()(x.State, ct)), s, context),
            new CallbackState<TState>(callback, state),
            cancellationToken);
    }

    /// <summary>
    /// Executes a callback and returns its outcome as a value. Never throws: failures, rejections and
    /// cancellation come back as an <see cref="Outcome{TResult}"/> holding the exception.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<Outcome<TResult>> ExecuteOutcomeAsync<TResult, TState>(Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RunOutcomeAsync(
            static (context, s) => CallbackInvoker.InvokeAsync(s.Callback<Func<TState, CancellationToken, ValueTask<TResult>>>(), s.State, context),
            new CallbackState<TState>(callback, state),
            cancellationToken);
    }

    /// <summary>
    /// Executes a callback that itself produces an outcome, in a context the caller owns. Never throws.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect; it should return failures as outcomes rather than throw.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask<Outcome<TResult>> ExecuteOutcomeAsync<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        var pending = ExecuteCore(
            static (ctx, s) => CallbackInvoker.InvokeOutcomeAsync(s.Callback<Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>>>(), s.State, ctx),
            context,
            new CallbackState<TState>(callback, state));
        return pending.IsCompletedSuccessfully ? pending : CallbackInvoker.AwaitOutcomeAsync(pending);
    }

    // An empty pipeline behaves like a direct call, with the same contract as any pipeline: a cancelled token means
    // the work is not started, and a synchronous throw surfaces through the returned task.
    private static ValueTask<TResult> ExecuteDirect<TResult, TState>(Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

#pragma warning disable CA1031 // The exception is handed to the caller through the task, as an async method would.
        try
        {
            return callback(state, cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
#pragma warning restore CA1031
    }

    private static ValueTask Discard(ValueTask<VoidResult> pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return default;
        }

        return new ValueTask(pending.AsTask());
    }
}
