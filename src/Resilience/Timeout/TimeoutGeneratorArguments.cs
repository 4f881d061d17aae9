namespace Resilience.Timeout;

/// <summary>
/// The arguments of <see cref="TimeoutStrategyOptions.TimeoutGenerator"/>.
/// </summary>
public readonly struct TimeoutGeneratorArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="TimeoutGeneratorArguments"/> struct.
    /// </summary>
    /// <param name="context">The context of the execution.</param>
    public TimeoutGeneratorArguments(ResilienceContext context) => Context = context;

    /// <summary>
    /// Gets the context of the execution.
    /// </summary>
    public ResilienceContext Context { get; }
}
