using Resilience.Chaos;
using Resilience.Chaos.Internal;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Adds the chaos strategies (fault, outcome, latency and behaviour injection) to pipeline builders. Add them where
/// the chaos should strike: innermost to test how the other strategies react, outermost to test the callers.
/// </summary>
public static partial class ChaosPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a fault chaos strategy to a non-generic pipeline.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or <see cref="ChaosFaultStrategyOptions.FaultGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder AddChaosFault(this ResiliencePipelineBuilder builder, ChaosFaultStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFaultCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a fault chaos strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or <see cref="ChaosFaultStrategyOptions.FaultGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder<TResult> AddChaosFault<TResult>(this ResiliencePipelineBuilder<TResult> builder, ChaosFaultStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFaultCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a fault chaos strategy that fails the given share of calls with the exception <paramref name="fault"/> makes.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="injectionRate">The share of calls to fail, from 0 to 1.</param>
    /// <param name="fault">Makes the exception; <see langword="null"/> lets the call run.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fault"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="injectionRate"/> is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder AddChaosFault(this ResiliencePipelineBuilder builder, double injectionRate, Func<Exception?> fault)
        => builder.AddChaosFault(FaultOptions(injectionRate, fault));

    /// <inheritdoc cref="AddChaosFault(ResiliencePipelineBuilder, double, Func{Exception?})"/>
    /// <typeparam name="TResult">The result type.</typeparam>
    public static ResiliencePipelineBuilder<TResult> AddChaosFault<TResult>(this ResiliencePipelineBuilder<TResult> builder, double injectionRate, Func<Exception?> fault)
        => builder.AddChaosFault(FaultOptions(injectionRate, fault));

    private static ChaosFaultStrategyOptions FaultOptions(double injectionRate, Func<Exception?> fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new ChaosFaultStrategyOptions { InjectionRate = injectionRate, FaultGenerator = _ => new ValueTask<Exception?>(fault()) };
    }

    private static void AddFaultCore(ResiliencePipelineBuilderBase builder, ChaosFaultStrategyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(ChaosFaultStrategyOptions);
        var injector = new ChaosInjector(options, Name);
        var fault = OptionGuard.NotNull(options.FaultGenerator, Name + ".FaultGenerator");
        var onInjected = options.OnFaultInjected;
        var name = options.Name;
        if (injector.NeverInjects)
        {
            return;
        }

        builder.AddStrategyCore(context => new ChaosFaultStrategy(injector, fault, onInjected, context.CreateTelemetry(name, ChaosConstants.DefaultFaultName, ChaosConstants.Events)));
    }
}
