namespace Resilience;

/// <summary>
/// Builds a <see cref="ResiliencePipeline"/> that can execute callbacks of any result type.
/// </summary>
public sealed class ResiliencePipelineBuilder : ResiliencePipelineBuilderBase
{
    /// <summary>
    /// Adds a custom strategy. The first strategy added is the outermost.
    /// </summary>
    /// <param name="factory">Creates the strategy when the pipeline is built.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    public ResiliencePipelineBuilder AddStrategy(Func<StrategyBuilderContext, ResilienceStrategy> factory)
    {
        AddStrategyCore(factory);
        return this;
    }

    /// <summary>
    /// Builds the pipeline. The builder can be reused; each call creates new strategy instances.
    /// </summary>
    /// <returns>The pipeline.</returns>
    public ResiliencePipeline Build() => new(BuildChain(), Name, Instruments());
}
