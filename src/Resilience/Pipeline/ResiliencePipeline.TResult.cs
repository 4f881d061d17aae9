using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// A built chain of resilience strategies for callbacks that return <typeparamref name="TResult"/>; its strategies
/// can inspect results (retry on a 503 response, fall back to a cached value). Thread-safe.
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
public sealed class ResiliencePipeline<TResult> : IDisposable, IAsyncDisposable
{
    private readonly ResiliencePipeline _pipeline;

    internal ResiliencePipeline(ResiliencePipeline pipeline) => _pipeline = pipeline;

    /// <summary>
    /// Gets a pipeline with no strategies: it runs the callback as a direct call would (Polly's
    /// <c>ResiliencePipeline&lt;T&gt;.Empty</c>). One shared instance per result type.
    /// </summary>
#pragma warning disable CA1000 // Polly code writes ResiliencePipeline<T>.Empty; the drop-in needs the same shape.
    public static ResiliencePipeline<TResult> Empty { get; } = new(ResiliencePipeline.Empty);
#pragma warning restore CA1000

    /// <summary>
    /// Gets the name the pipeline was built with, if any.
    /// </summary>
    public string? Name => _pipeline.Name;

    internal bool MayRepeatCallback => _pipeline.MayRepeatCallback;

    /// <summary>Gets the untyped pipeline this one wraps (composing pipelines takes its strategies).</summary>
    internal ResiliencePipeline Inner => _pipeline;

    /// <inheritdoc cref="ResiliencePipeline.Dispose"/>
    public void Dispose() => _pipeline.Dispose();

    /// <inheritdoc cref="ResiliencePipeline.DisposeAsync"/>
    /// <returns>A task that completes when everything is disposed.</returns>
    public ValueTask DisposeAsync() => _pipeline.DisposeAsync();

    /// <summary>
    /// Executes an asynchronous callback.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public ValueTask<TResult> ExecuteAsync(Func<CancellationToken, ValueTask<TResult>> callback, CancellationToken cancellationToken = default)
        => _pipeline.ExecuteAsync(callback, cancellationToken);

    /// <summary>
    /// Executes an asynchronous callback with a state argument (so it can be a <see langword="static"/> lambda).
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    [OverloadResolutionPriority(1)]
    public ValueTask<TResult> ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken = default)
        => _pipeline.ExecuteAsync(callback, state, cancellationToken);

    /// <summary>
    /// Executes a <see cref="Task{TResult}"/>-returning callback, such as <c>ct =&gt; http.GetStringAsync(url, ct)</c>.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync(Func<CancellationToken, Task<TResult>> callback, CancellationToken cancellationToken = default)
        => _pipeline.ExecuteAsync(callback, cancellationToken);

    /// <summary>
    /// Executes a <see cref="Task{TResult}"/>-returning callback with a state argument.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result of the callback (or of a fallback).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<TResult> ExecuteAsync<TState>(Func<TState, CancellationToken, Task<TResult>> callback, TState state, CancellationToken cancellationToken = default)
        => _pipeline.ExecuteAsync(callback, state, cancellationToken);

    /// <summary>
    /// Executes a callback and returns its outcome as a value; never throws.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public ValueTask<Outcome<TResult>> ExecuteOutcomeAsync<TState>(Func<TState, CancellationToken, ValueTask<TResult>> callback, TState state, CancellationToken cancellationToken = default)
        => _pipeline.ExecuteOutcomeAsync(callback, state, cancellationToken);

    /// <summary>
    /// Executes a callback that itself produces an outcome, in a context the caller owns; never throws.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="context">A context from <see cref="ResilienceContextPool"/>.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public ValueTask<Outcome<TResult>> ExecuteOutcomeAsync<TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        => _pipeline.ExecuteOutcomeAsync(callback, context, state);

    /// <summary>
    /// Executes synchronous work on the calling thread.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute(Func<CancellationToken, TResult> callback, CancellationToken cancellationToken = default)
        => _pipeline.Execute(callback, cancellationToken);

    /// <summary>
    /// Executes synchronous work on the calling thread.
    /// </summary>
    /// <param name="callback">The work to protect.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute(Func<TResult> callback) => _pipeline.Execute(callback);

    /// <summary>
    /// Executes synchronous work on the calling thread, passing it a state argument.
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TState>(Func<TState, CancellationToken, TResult> callback, TState state, CancellationToken cancellationToken = default)
        => _pipeline.Execute(callback, state, cancellationToken);

    /// <summary>
    /// Executes synchronous work on the calling thread, passing it a state argument (Polly's shape, without a token).
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="callback">The work to protect.</param>
    /// <param name="state">The state passed to <paramref name="callback"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public TResult Execute<TState>(Func<TState, TResult> callback, TState state) => _pipeline.Execute(callback, state);

    /// <inheritdoc cref="ResiliencePipeline.ExecuteAsync{TResult, TState}(Func{ResilienceContext, TState, ValueTask{TResult}}, ResilienceContext, TState)"/>
    /// <typeparam name="TState">The state type.</typeparam>
    public ValueTask<TResult> ExecuteAsync<TState>(Func<ResilienceContext, TState, ValueTask<TResult>> callback, ResilienceContext context, TState state)
        => _pipeline.ExecuteAsync(callback, context, state);

    /// <inheritdoc cref="ResiliencePipeline.ExecuteAsync{TResult}(Func{ResilienceContext, ValueTask{TResult}}, ResilienceContext)"/>
    public ValueTask<TResult> ExecuteAsync(Func<ResilienceContext, ValueTask<TResult>> callback, ResilienceContext context)
        => _pipeline.ExecuteAsync(callback, context);

    /// <inheritdoc cref="ResiliencePipeline.Execute{TResult, TState}(Func{ResilienceContext, TState, TResult}, ResilienceContext, TState)"/>
    /// <typeparam name="TState">The state type.</typeparam>
    public TResult Execute<TState>(Func<ResilienceContext, TState, TResult> callback, ResilienceContext context, TState state)
        => _pipeline.Execute(callback, context, state);

    /// <inheritdoc cref="ResiliencePipeline.Execute{TResult}(Func{ResilienceContext, TResult}, ResilienceContext)"/>
    public TResult Execute(Func<ResilienceContext, TResult> callback, ResilienceContext context)
        => _pipeline.Execute(callback, context);
}
