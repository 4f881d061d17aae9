namespace Resilience;

/// <summary>
/// Builds a <see cref="ResiliencePipeline{TResult}"/> whose strategies can inspect results of type <typeparamref name="TResult"/>.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline.</typeparam>
public sealed class ResiliencePipelineBuilder<TResult> : ResiliencePipelineBuilderBase
{
    /// <summary>
    /// Adds a custom strategy. The first strategy added is the outermost.
    /// </summary>
    /// <param name="factory">Creates the strategy when the pipeline is built.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    public ResiliencePipelineBuilder<TResult> AddStrategy(Func<StrategyBuilderContext, ResilienceStrategy> factory)
    {
        AddStrategyCore(factory);
        return this;
    }

    /// <inheritdoc cref="ResiliencePipelineBuilder.AddPipeline(ResiliencePipeline)"/>
    public ResiliencePipelineBuilder<TResult> AddPipeline(ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        AddPipelineCore(pipeline);
        return this;
    }

    /// <inheritdoc cref="ResiliencePipelineBuilder.AddPipeline(ResiliencePipeline)"/>
    public ResiliencePipelineBuilder<TResult> AddPipeline(ResiliencePipeline<TResult> pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        AddPipelineCore(pipeline.Inner);
        return this;
    }

    /// <summary>
    /// Builds the pipeline. The builder can be reused; each call creates new strategy instances.
    /// </summary>
    /// <returns>The pipeline.</returns>
    public ResiliencePipeline<TResult> Build() => new(new ResiliencePipeline(BuildChain(), Name, Instruments()));
}
