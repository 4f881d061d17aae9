using Resilience.Chaos;
using Resilience.Chaos.Internal;
using Resilience.Internal;

namespace Resilience;

public static partial class ChaosPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a behaviour chaos strategy to a non-generic pipeline.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or <see cref="ChaosBehaviorStrategyOptions.BehaviorGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder AddChaosBehavior(this ResiliencePipelineBuilder builder, ChaosBehaviorStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddBehaviorCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a behaviour chaos strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or <see cref="ChaosBehaviorStrategyOptions.BehaviorGenerator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder<TResult> AddChaosBehavior<TResult>(this ResiliencePipelineBuilder<TResult> builder, ChaosBehaviorStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddBehaviorCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a behaviour chaos strategy that runs <paramref name="behavior"/> before the given share of calls.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="injectionRate">The share of calls, from 0 to 1.</param>
    /// <param name="behavior">The behaviour; it receives the caller's token.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="behavior"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="injectionRate"/> is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder AddChaosBehavior(this ResiliencePipelineBuilder builder, double injectionRate, Func<CancellationToken, ValueTask> behavior)
        => builder.AddChaosBehavior(BehaviorOptions(injectionRate, behavior));

    /// <inheritdoc cref="AddChaosBehavior(ResiliencePipelineBuilder, double, Func{CancellationToken, ValueTask})"/>
    /// <typeparam name="TResult">The result type.</typeparam>
    public static ResiliencePipelineBuilder<TResult> AddChaosBehavior<TResult>(this ResiliencePipelineBuilder<TResult> builder, double injectionRate, Func<CancellationToken, ValueTask> behavior)
        => builder.AddChaosBehavior(BehaviorOptions(injectionRate, behavior));

    private static ChaosBehaviorStrategyOptions BehaviorOptions(double injectionRate, Func<CancellationToken, ValueTask> behavior)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        return new ChaosBehaviorStrategyOptions { InjectionRate = injectionRate, BehaviorGenerator = args => behavior(args.Context.CancellationToken) };
    }

    private static void AddBehaviorCore(ResiliencePipelineBuilderBase builder, ChaosBehaviorStrategyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(ChaosBehaviorStrategyOptions);
        var injector = new ChaosInjector(options, Name);
        var behavior = OptionGuard.NotNull(options.BehaviorGenerator, Name + ".BehaviorGenerator");
        var onInjected = options.OnBehaviorInjected;
        var name = options.Name;
        if (injector.NeverInjects)
        {
            return;
        }

        builder.AddStrategyCore(context => new ChaosBehaviorStrategy(injector, behavior, onInjected, context.CreateTelemetry(name, ChaosConstants.DefaultBehaviorName, ChaosConstants.Events)));
    }
}
