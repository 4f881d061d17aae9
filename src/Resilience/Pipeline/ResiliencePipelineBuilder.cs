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
    /// Adds the strategies of another pipeline at this position (Polly's <c>AddPipeline</c>). They are that pipeline's own
    /// instances, so state such as a circuit breaker's is shared with it; what it owns stays its to dispose.
    /// </summary>
    /// <remarks>The strategies it holds when <see cref="Build"/> runs are taken; a later configuration reload of it is not followed.</remarks>
    /// <param name="pipeline">The pipeline to compose in.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public ResiliencePipelineBuilder AddPipeline(ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        AddPipelineCore(pipeline);
        return this;
    }

    /// <summary>
    /// Builds the pipeline. The builder can be reused; each call creates new strategy instances.
    /// </summary>
    /// <returns>The pipeline.</returns>
    public ResiliencePipeline Build() => new(BuildChain(), Name, Instruments());
}
