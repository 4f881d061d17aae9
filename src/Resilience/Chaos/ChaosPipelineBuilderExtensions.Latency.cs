using Resilience.Chaos;
using Resilience.Chaos.Internal;
using Resilience.Internal;

namespace Resilience;

public static partial class ChaosPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a latency chaos strategy to a non-generic pipeline.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1, or the latency is negative.</exception>
    public static ResiliencePipelineBuilder AddChaosLatency(this ResiliencePipelineBuilder builder, ChaosLatencyStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddLatencyCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a latency chaos strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1, or the latency is negative.</exception>
    public static ResiliencePipelineBuilder<TResult> AddChaosLatency<TResult>(this ResiliencePipelineBuilder<TResult> builder, ChaosLatencyStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddLatencyCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds a latency chaos strategy that delays the given share of calls by <paramref name="latency"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="injectionRate">The share of calls to delay, from 0 to 1.</param>
    /// <param name="latency">The delay.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="injectionRate"/> is not between 0 and 1, or <paramref name="latency"/> is negative.</exception>
    public static ResiliencePipelineBuilder AddChaosLatency(this ResiliencePipelineBuilder builder, double injectionRate, TimeSpan latency)
        => builder.AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = injectionRate, Latency = latency });

    /// <inheritdoc cref="AddChaosLatency(ResiliencePipelineBuilder, double, TimeSpan)"/>
    /// <typeparam name="TResult">The result type.</typeparam>
    public static ResiliencePipelineBuilder<TResult> AddChaosLatency<TResult>(this ResiliencePipelineBuilder<TResult> builder, double injectionRate, TimeSpan latency)
        => builder.AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = injectionRate, Latency = latency });

    private static void AddLatencyCore(ResiliencePipelineBuilderBase builder, ChaosLatencyStrategyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(ChaosLatencyStrategyOptions);
        var injector = new ChaosInjector(options, Name);
        OptionGuard.NotNegative(options.Latency, Name + ".Latency");
        var snapshot = new ChaosLatencyStrategyOptions
        {
            Name = options.Name,
            Latency = options.Latency,
            LatencyGenerator = options.LatencyGenerator,
            OnLatencyInjected = options.OnLatencyInjected,
        };
        if (injector.NeverInjects)
        {
            return;
        }

        builder.AddStrategyCore(context => new ChaosLatencyStrategy(injector, snapshot, context.TimeProvider, context.CreateTelemetry(snapshot.Name, ChaosConstants.DefaultLatencyName, ChaosConstants.Events)));
    }
}
