using System.Runtime.CompilerServices;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// The overloads that run in a context the caller owns (Polly's <c>ExecuteAsync(callback, context)</c> shapes): the
/// callback receives that context, the pipeline observes its token and properties, and the caller returns it to
/// <see cref="ResilienceContextPool"/> afterwards.
/// </summary>
public sealed partial class ResiliencePipeline
{
    /// <summary>
    /// Executes an asynchronous callback that returns a result, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context (whose token is the execution's) and the state.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(Func<ResilienceContext, TState, ValueTask<TResult>> callback, ResilienceContext context, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return RunInContextAsync(
            static (ctx, s) => CallbackInvoker.InvokeContextAsync(s.Callback<Func<ResilienceContext, TState, ValueTask<TResult>>>(), s.State, ctx),
            context,
            new CallbackState<TState>(callback, state));
    }

    /// <summary>
    /// Executes an asynchronous callback that returns a result, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<ResilienceContext, ValueTask<TResult>> callback, ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return RunInContextAsync(
            static (ctx, cb) => CallbackInvoker.InvokeContextAsync(static (c, f) => f(c), cb, ctx),
            context,
            callback);
    }

    /// <summary>
    /// Executes an asynchronous callback that returns nothing, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context and the state.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>A task that completes when the work is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask ExecuteAsync<TState>(Func<ResilienceContext, TState, ValueTask> callback, ResilienceContext context, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return Discard(RunInContextAsync(
            static (ctx, s) => CallbackInvoker.InvokeContextAsync(static (c, x) => CallbackInvoker.ToVoid(x.Callback<Func<ResilienceContext, TState, ValueTask>>()(c, x.State)), s, ctx),
            context,
            new CallbackState<TState>(callback, state)));
    }

    /// <summary>
    /// Executes an asynchronous callback that returns nothing, in a context the caller owns.
    /// </summary>
    /// <param name="callback">The work to protect; it receives the context.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <returns>A task that completes when the work is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask ExecuteAsync(Func<ResilienceContext, ValueTask> callback, ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return Discard(RunInContextAsync(
            static (ctx, cb) => CallbackInvoker.InvokeContextAsync(static (c, f) => CallbackInvoker.ToVoid(f(c)), cb, ctx),
            context,
            callback));
    }

    /// <summary>
    /// Executes synchronous work that returns a result, on the calling thread, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context and the state.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult, TState>(Func<ResilienceContext, TState, TResult> callback, ResilienceContext context, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return RunSyncInContext(
            static (ctx, s) => CallbackInvoker.InvokeContextSync(s.Callback<Func<ResilienceContext, TState, TResult>>(), s.State, ctx),
            context,
            new CallbackState<TState>(callback, state));
    }

    /// <summary>
    /// Executes synchronous work that returns a result, on the calling thread, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public TResult Execute<TResult>(Func<ResilienceContext, TResult> callback, ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        return RunSyncInContext(
            static (ctx, cb) => CallbackInvoker.InvokeContextSync(static (c, f) => f(c), cb, ctx),
            context,
            callback);
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, on the calling thread, in a context the caller owns.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect; it receives the context and the state.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public void Execute<TState>(Action<ResilienceContext, TState> callback, ResilienceContext context, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        RunSyncInContext(
            static (ctx, s) => CallbackInvoker.InvokeContextSync(
                static (c, x) =>
                {
                    x.Callback<Action<ResilienceContext, TState>>()(c, x.State);
                    return VoidResult.Instance;
                },
                s,
                ctx),
            context,
            new CallbackState<TState>(callback, state));
    }

    /// <summary>
    /// Executes synchronous work that returns nothing, on the calling thread, in a context the caller owns.
    /// </summary>
    /// <param name="callback">The work to protect; it receives the context.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>; the caller returns it afterwards.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public void Execute(Action<ResilienceContext> callback, ResilienceContext context)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        RunSyncInContext(
            static (ctx, cb) => CallbackInvoker.InvokeContextSync(
                static (c, f) =>
                {
                    f(c);
                    return VoidResult.Instance;
                },
                cb,
                ctx),
            context,
            callback);
    }

    // As Polly does, the overload chosen says how the strategies wait: an asynchronous one marks the context so.
    private ValueTask<TResult> RunInContextAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        context.IsSynchronous = false;
        if (IsObserved)
        {
            return AwaitThenThrowAsync(ObserveAsync(callback, context, state, returnContext: false));
        }

        var pending = ExecuteCore(callback, context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitThenThrowAsync(pending);
        }

        var outcome = pending.Result;
        return outcome.ExceptionDispatchInfo is { } edi
            ? ValueTask.FromException<TResult>(edi.SourceException)
            : new ValueTask<TResult>(outcome.Result!);
    }

    private TResult RunSyncInContext<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        context.IsSynchronous = true;
        var pending = ExecuteCore(callback, context, state);

        // See RunSync: this blocks only when something in the pipeline went asynchronous anyway.
        var outcome = pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
        return outcome.GetResultOrRethrow();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResult> AwaitThenThrowAsync<TResult>(ValueTask<Outcome<TResult>> pending)
    {
        Outcome<TResult> outcome;
#pragma warning disable CA1031 // A faulted task from a custom strategy is the caller's failure, thrown below.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<TResult>(ex);
        }
#pragma warning restore CA1031

        return outcome.GetResultOrRethrow();
    }
}
