using System.Runtime.CompilerServices;

namespace Resilience.Internal;

/// <summary>
/// Turns the user's callback into the innermost step of a pipeline: it never throws (exceptions become outcomes)
/// and it does not call the user once the execution's token is cancelled.
/// </summary>
internal static class CallbackInvoker
{
    public static ValueTask<Outcome<TResult>> InvokeAsync<TResult, TState>(
        Func<TState, CancellationToken, ValueTask<TResult>> callback,
        TState state,
        ResilienceContext context)
    {
        var token = context.CancellationToken;
        if (token.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(new OperationCanceledException(token));
        }

        ValueTask<TResult> pending;
#pragma warning disable CA1031 // The callback's failure is the outcome: strategies decide what to do with it.
        try
        {
            pending = callback(state, token);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<Outcome<TResult>>(Outcome.FromResult(pending.Result));
        }

        return AwaitAsync(pending);
    }

    public static ValueTask<Outcome<TResult>> InvokeContextAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<TResult>> callback,
        TState state,
        ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(new OperationCanceledException(context.CancellationToken));
        }

        ValueTask<TResult> pending;
#pragma warning disable CA1031 // The callback's failure is the outcome: strategies decide what to do with it.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        return pending.IsCompletedSuccessfully
            ? new ValueTask<Outcome<TResult>>(Outcome.FromResult(pending.Result))
            : AwaitAsync(pending);
    }

    public static ValueTask<Outcome<TResult>> InvokeContextSync<TResult, TState>(
        Func<ResilienceContext, TState, TResult> callback,
        TState state,
        ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(new OperationCanceledException(context.CancellationToken));
        }

#pragma warning disable CA1031 // The callback's failure is the outcome: strategies decide what to do with it.
        try
        {
            return new ValueTask<Outcome<TResult>>(Outcome.FromResult(callback(context, state)));
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031
    }

    public static ValueTask<Outcome<TResult>> InvokeOutcomeAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(new OperationCanceledException(context.CancellationToken));
        }

        ValueTask<Outcome<TResult>> pending;
#pragma warning disable CA1031 // A callback that breaks the never-throw contract still yields an outcome.
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031

        return pending.IsCompletedSuccessfully ? pending : AwaitOutcomeAsync(pending);
    }

    public static ValueTask<Outcome<TResult>> InvokeSync<TResult, TState>(
        Func<TState, CancellationToken, TResult> callback,
        TState state,
        ResilienceContext context)
    {
        var token = context.CancellationToken;
        if (token.IsCancellationRequested)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(new OperationCanceledException(token));
        }

#pragma warning disable CA1031 // The callback's failure is the outcome: strategies decide what to do with it.
        try
        {
            return new ValueTask<Outcome<TResult>>(Outcome.FromResult(callback(state, token)));
        }
        catch (Exception ex)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(ex);
        }
#pragma warning restore CA1031
    }

    public static ValueTask<VoidResult> ToVoid(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<VoidResult>(VoidResult.Instance);
        }

        return AwaitVoidAsync(pending);
    }

    public static ValueTask<VoidResult> ToVoid(Task pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<VoidResult>(VoidResult.Instance);
        }

        return AwaitVoidAsync(new ValueTask(pending));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Outcome<TResult>> AwaitAsync<TResult>(ValueTask<TResult> pending)
    {
#pragma warning disable CA1031 // The callback's failure is the outcome.
        try
        {
            return Outcome.FromResult(await pending.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<TResult>(ex);
        }
#pragma warning restore CA1031
    }

    /// <summary>Awaits an outcome task; a task that faults instead (a broken never-throw contract) yields its exception as the outcome.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<Outcome<TResult>> AwaitOutcomeAsync<TResult>(ValueTask<Outcome<TResult>> pending)
    {
#pragma warning disable CA1031 // A callback that breaks the never-throw contract still yields an outcome.
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Outcome.FromException<TResult>(ex);
        }
#pragma warning restore CA1031
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<VoidResult> AwaitVoidAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return VoidResult.Instance;
    }
}
