using Resilience.CircuitBreaker;
using Resilience.CircuitBreaker.Internal;

namespace Resilience;

/// <summary>
/// Adds the circuit breaker to pipeline builders.
/// </summary>
public static class CircuitBreakerPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a circuit breaker to a non-generic pipeline. Each built pipeline gets its own breaker state; to share one
    /// state between pipelines, add a <see cref="SharedCircuitBreaker"/> instead.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder AddCircuitBreaker(this ResiliencePipelineBuilder builder, CircuitBreakerStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a circuit breaker to a result-aware pipeline (its rule may count results, such as 5xx responses, as failures).
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    public static ResiliencePipelineBuilder<TResult> AddCircuitBreaker<TResult>(this ResiliencePipelineBuilder<TResult> builder, CircuitBreakerStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a shared breaker: every pipeline it is added to sees the same state.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="breaker">The shared breaker.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddCircuitBreaker<TBuilder>(this TBuilder builder, SharedCircuitBreaker breaker)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(breaker);
        var shouldHandle = breaker.Options.ShouldHandle;
        var exceptionsOnly = breaker.Options.UsesDefaultShouldHandle;
        builder.AddStrategyCore(context => new CircuitBreakerStrategy<object>(
            breaker.Controller,
            shouldHandle,
            breaker.Options.ShouldHandleWithArguments,
            exceptionsOnly,
            context.CreateTelemetry(breaker.Name, CircuitBreakerConstants.DefaultName, CircuitBreakerConstants.Events)));
        return builder;
    }

    private static void AddCore<TResult>(ResiliencePipelineBuilderBase builder, CircuitBreakerStrategyOptions<TResult>? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CircuitBreakerOptionsValidator.Validate(options);
        var snapshot = CircuitBreakerOptionsValidator.Copy(options);
        var shouldHandle = options.ShouldHandle;
        var withArguments = options.ShouldHandleWithArguments;
        var exceptionsOnly = options.UsesDefaultShouldHandle;
        var manualControl = options.ManualControl;
        var stateProvider = options.StateProvider;
        builder.AddStrategyCore(context =>
        {
            var telemetry = context.CreateTelemetry(snapshot.Name, CircuitBreakerConstants.DefaultName, CircuitBreakerConstants.Events);
            var controller = new CircuitController(snapshot.Name ?? context.PipelineName, snapshot, context.TimeProvider, telemetry);
            manualControl?.Attach(controller);
            stateProvider?.Attach(controller);
            return new CircuitBreakerStrategy<TResult>(controller, shouldHandle, withArguments, exceptionsOnly, telemetry);
        });
    }
}
