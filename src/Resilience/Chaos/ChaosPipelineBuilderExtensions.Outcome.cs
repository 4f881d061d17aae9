using Resilience.Chaos;
using Resilience.Chaos.Internal;
using Resilience.Internal;

namespace Resilience;

public static partial class ChaosPipelineBuilderExtensions
{
    /// <summary>
    /// Adds an outcome chaos strategy to a non-generic pipeline; injected results are converted to each call site's type.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or its <c>OutcomeGenerator</c> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder AddChaosOutcome(this ResiliencePipelineBuilder builder, ChaosOutcomeStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOutcomeCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds an outcome chaos strategy to a result-aware pipeline.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/>, <paramref name="options"/> or its <c>OutcomeGenerator</c> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The injection rate is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder<TResult> AddChaosOutcome<TResult>(this ResiliencePipelineBuilder<TResult> builder, ChaosOutcomeStrategyOptions<TResult> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOutcomeCore(builder, options);
        return builder;
    }

    /// <summary>
    /// Adds an outcome chaos strategy that answers the given share of calls with the result <paramref name="result"/> makes.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="injectionRate">The share of calls to answer, from 0 to 1.</param>
    /// <param name="result">Makes the injected result.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="result"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="injectionRate"/> is not between 0 and 1.</exception>
    public static ResiliencePipelineBuilder<TResult> AddChaosOutcome<TResult>(this ResiliencePipelineBuilder<TResult> builder, double injectionRate, Func<TResult> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return builder.AddChaosOutcome(new ChaosOutcomeStrategyOptions<TResult>
        {
            InjectionRate = injectionRate,
            OutcomeGenerator = _ => new ValueTask<Outcome<TResult>?>(Outcome.FromResult(result())),
        });
    }

    private static void AddOutcomeCore<TResult>(ResiliencePipelineBuilderBase builder, ChaosOutcomeStrategyOptions<TResult>? options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Name = nameof(ChaosOutcomeStrategyOptions);
        var injector = new ChaosInjector(options, Name);
        var outcome = OptionGuard.NotNull(options.OutcomeGenerator, Name + ".OutcomeGenerator");
        var onInjected = options.OnOutcomeInjected;
        var name = options.Name;
        if (injector.NeverInjects)
        {
            return;
        }

        builder.AddStrategyCore(context => new ChaosOutcomeStrategy<TResult>(injector, outcome, onInjected, context.CreateTelemetry(name, ChaosConstants.DefaultOutcomeName, ChaosConstants.Events)));
    }
}
