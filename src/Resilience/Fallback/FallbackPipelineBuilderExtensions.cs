using Resilience.Fallback;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the fallback strategy to pipeline builders.
/// </summary>
public static class FallbackPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a fallback strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The fallback chain is empty or holds a <see langword="null"/> action.</exception>
    public static ResiliencePipelineBuilder<TResult> AddFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, FallbackStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFallbackCore(builder, options, "FallbackStrategyOptions");
        return builder;
    }

    /// <summary>
    /// Adds a fallback strategy to a non-generic pipeline; fallback results are converted to each call site's type.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or a required option is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The fallback chain is empty or holds a <see langword="null"/> action.</exception>
    public static ResiliencePipelineBuilder AddFallback(this ResiliencePipelineBuilder builder, FallbackStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFallbackCore(builder, options, "FallbackStrategyOptions");
        return builder;
    }

    /// <summary>
    /// Adds a fallback that returns <paramref name="fallbackValue"/> when the work fails with any exception.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="fallbackValue">The value to return instead of the failure.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<TResult> AddFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, TResult fallbackValue)
    {
        var options = new FallbackStrategyOptions<TResult>();
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask(fallbackValue));
        return builder.AddFallback(options);
    }

    /// <summary>
    /// Adds a fallback that computes a replacement from the failed outcome when the work fails with any exception.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="fallback">Computes the replacement; it receives the failed outcome.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fallback"/> is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<TResult> AddFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, Func<Outcome<TResult>, TResult> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        var options = new FallbackStrategyOptions<TResult>();
        options.FallbackActions.Add(args => Outcome.FromResultAsValueTask(fallback(args.Outcome)));
        return builder.AddFallback(options);
    }

    /// <summary>
    /// Adds an asynchronous fallback that computes a replacement from the failed outcome when the work fails with
    /// any exception.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="fallback">Computes the replacement; it receives the failed outcome and the caller's token.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fallback"/> is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<TResult> AddFallback<TResult>(this ResiliencePipelineBuilder<TResult> builder, Func<Outcome<TResult>, CancellationToken, ValueTask<TResult>> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        var options = new FallbackStrategyOptions<TResult>();
        options.FallbackActions.Add(async args => Outcome.FromResult(await fallback(args.Outcome, args.Context.CancellationToken).ConfigureAwait(false)));
        return builder.AddFallback(options);
    }

    private static void AddFallbackCore<TResult>(ResiliencePipelineBuilderBase builder, FallbackStrategyOptions<TResult>? options, string optionsName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var shouldHandle = OptionGuard.NotNull(options.ShouldHandle, optionsName + ".ShouldHandle");
        var actions = options.FallbackActions.ToArray();
        if (actions.Length == 0)
        {
            throw new ArgumentException($"The option '{optionsName}.FallbackActions' must hold at least one fallback action; it was empty.", optionsName + ".FallbackActions");
        }

        var nullIndex = Array.IndexOf(actions, null);
        if (nullIndex >= 0)
        {
            throw new ArgumentException($"The option '{optionsName}.FallbackActions' holds a null action at position {nullIndex}.", optionsName + ".FallbackActions");
        }

        var withArguments = options.ShouldHandleWithArguments;
        var exceptionsOnly = options.UsesDefaultShouldHandle;
        var onFallback = options.OnFallback;
        var name = options.Name;
        builder.AddStrategyCore(context => new FallbackStrategy<TResult>(
            shouldHandle,
            withArguments,
            exceptionsOnly,
            actions,
            onFallback,
            context.CreateTelemetry(name, FallbackConstants.DefaultName, FallbackConstants.Events)));
    }
}
