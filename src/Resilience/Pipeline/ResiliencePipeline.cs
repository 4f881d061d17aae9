using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience;

/// <summary>
/// A built chain of resilience strategies that executes callbacks of any result type. Thread-safe: build once,
/// share it, execute from any number of threads.
/// </summary>
/// <remarks>
/// Build one with <see cref="ResiliencePipelineBuilder"/>. The first strategy added is the outermost.
/// Overloads that take a <c>TState</c> argument let callers pass <see langword="static"/> lambdas, so a successful
/// call allocates nothing.
/// </remarks>
public sealed partial class ResiliencePipeline : IDisposable, IAsyncDisposable
{
    private readonly StrategyChain? _chain;
    private readonly ResilienceInstruments _instruments;

    internal ResiliencePipeline(StrategyChain? chain, string? name, ResilienceInstruments? instruments = null)
    {
        _chain = chain;
        Name = name;
        _instruments = instruments ?? ResilienceInstruments.Shared;
    }

    /// <summary>
    /// Gets a pipeline with no strategies: it runs the callback as a direct call would.
    /// </summary>
    public static ResiliencePipeline Empty { get; } = new(null, null);

    /// <summary>
    /// Gets the name the pipeline was built with, if any.
    /// </summary>
    public string? Name { get; }

    /// <summary>
    /// Disposes what the pipeline created for itself (the limiters of the rate-limiter shorthands such as
    /// <c>AddConcurrencyLimiter</c>) and stops following configuration changes. A limiter, breaker or bulkhead that was
    /// passed in is left to its owner. A call made afterwards fails with <see cref="ObjectDisposedException"/> where it
    /// needs a disposed resource. The container disposes the pipelines it built.
    /// </summary>
    public void Dispose()
    {
        _chain?.ReloadSubscription?.Dispose();
        _chain?.Owned?.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when everything is disposed.</returns>
    public ValueTask DisposeAsync()
    {
        _chain?.ReloadSubscription?.Dispose();
        return _chain?.Owned?.DisposeAsync() ?? default;
    }

    internal bool MayRepeatCallback => _chain?.MayRepeatCallback ?? false;

    /// <summary>Gets the built strategies, outermost first (tests inspect what they hold).</summary>
    internal IReadOnlyList<ResilienceStrategy> Strategies => _chain?.Strategies ?? [];

    // Never throws: the callbacks given here never throw (CallbackInvoker), the library's strategies keep the
    // contract, and a strategy from elsewhere is wrapped in a ContractGuardStrategy when its chain is made. No handler
    // here: one around the walk kept it from being inlined (measured, see ContractGuardStrategy).
    private ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
        => (_chain ?? StrategyChain.None).Execute(callback, context, state); // one call, no struct-valued branch (see StrategyChain.Execute)

    // Two flag reads decide whether anyone listens; only then is the execution timed and traced.
    private bool IsObserved => _instruments.PipelineDuration.Enabled || ResilienceInstruments.ActivitySource.HasListeners();

    // Not inlined into the public overloads: there the result task, assembled field by field in a stack slot, was
    // copied whole with a wide load (a stalled store-to-load forward); returned from here it is built in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TResult> RunAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken cancellationToken)
    {
        if (IsObserved)
        {
            return RunObservedAsync(callback, state, cancellationToken);
        }

        var context = ResilienceContextPool.Shared.Get(isSynchronous: false, cancellationToken);

        // A one-strategy pipeline calls its strategy from here (one call less), through the delegate the chain resolved
        // for these types when it has one; each branch's call writes straight into `pending`, so no task is copied.
        var chain = _chain ?? StrategyChain.None;
        ValueTask<Outcome<TResult>> pending;
        if (chain.Single is not { } single)
        {
            pending = chain.Execute(callback, context, state);
        }
        else if (chain.SingleCall<TResult, TState>(single) is { } call)
        {
            pending = call(callback, context, state);
        }
        else
        {
            pending = single.ExecuteCore(callback, context, state);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitResultAsync(pending, context);
        }

        var outcome = pending.Result;
        ResilienceContextPool.Shared.Return(context);
        if (outcome.ExceptionDispatchInfo is { } edi)
        {
            return ValueTask.FromException<TResult>(edi.SourceException);
        }

        return new ValueTask<TResult>(outcome.Result!);
    }

    private ValueTask<Outcome<TResult>> RunOutcomeAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken cancellationToken)
    {
        if (IsObserved)
        {
            return RunObservedOutcomeAsync(callback, state, cancellationToken);
        }

        var context = ResilienceContextPool.Shared.Get(isSynchronous: false, cancellationToken);
        var pending = ExecuteCore(callback, context, state);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitOutcomeAsync(pending, context);
        }

        ResilienceContextPool.Shared.Return(context);
        return pending;
    }

    private TResult RunSync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(isSynchronous: true, cancellationToken);
        Outcome<TResult> outcome;
        try
        {
            var pending = ExecuteCore(callback, context, state);

            // Built-in waits are synchronous on a synchronous context; this blocks only when something went
            // asynchronous anyway (a queueing limiter, an async callback, a custom strategy), as the docs say.
            outcome = pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        return outcome.GetResultOrRethrow();
    }

    private async ValueTask<TResult> RunObservedAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken cancellationToken)
    {
        var outcome = await RunObservedOutcomeAsync(callback, state, cancellationToken).ConfigureAwait(false);
        return outcome.GetResultOrRethrow();
    }

    private ValueTask<Outcome<TResult>> RunObservedOutcomeAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken cancellationToken)
        => ObserveAsync(callback, ResilienceContextPool.Shared.Get(isSynchronous: false, cancellationToken), state, returnContext: true);

    // The caller's context (the overloads that take one) is the caller's to return; a rented one goes back here.
    private async ValueTask<Outcome<TResult>> ObserveAsync<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state,
        bool returnContext)
    {
        using var activity = ResilienceInstruments.ActivitySource.StartActivity("resilience.pipeline");
        activity?.SetTag(ResilienceTelemetryNames.PipelineTag, Name);
        var started = Stopwatch.GetTimestamp();
        Outcome<TResult> outcome;
#pragma warning disable CA1031 // A faulted task from a custom strategy is an outcome like any other.
        try
        {
            outcome = await ExecuteCore(callback, context, state).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = new Outcome<TResult>(ExceptionDispatchInfo.Capture(ex));
        }
        finally
        {
            if (returnContext)
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
#pragma warning restore CA1031

        var errorType = outcome.Exception?.GetType().FullName;
        if (activity is not null && errorType is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, errorType);
            activity.SetTag(ResilienceTelemetryNames.ErrorTypeTag, errorType);
        }

        var histogram = _instruments.PipelineDuration;
        if (histogram.Enabled)
        {
            histogram.Record(
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.PipelineTag, Name),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.OutcomeTag, errorType is null ? "success" : "failure"),
                new KeyValuePair<string, object?>(ResilienceTelemetryNames.ErrorTypeTag, errorType));
        }

        return outcome;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResult> AwaitResultAsync<TResult>(ValueTask<Outcome<TResult>> pending, ResilienceContext context)
    {
        Outcome<TResult> outcome;
#pragma warning disable CA1031 // A faulted task from a custom strategy is the caller's failure, thrown below.
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = new Outcome<TResult>(ExceptionDispatchInfo.Capture(ex));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
#pragma warning restore CA1031

        return outcome.GetResultOrRethrow();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Outcome<TResult>> AwaitOutcomeAsync<TResult>(ValueTask<Outcome<TResult>> pending, ResilienceContext context)
    {
#pragma warning disable CA1031 // The outcome API never throws, even if a custom strategy breaks its contract.
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return new Outcome<TResult>(ExceptionDispatchInfo.Capture(ex));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
#pragma warning restore CA1031
    }
}
