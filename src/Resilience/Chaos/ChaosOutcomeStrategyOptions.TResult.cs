namespace Resilience.Chaos;

/// <summary>
/// Options of the outcome chaos strategy: an injected call returns the generated outcome (a result or an exception)
/// instead of running.
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline (<see cref="object"/> for non-generic pipelines).</typeparam>
public class ChaosOutcomeStrategyOptions<TResult> : ChaosStrategyOptions
{
    /// <summary>
    /// Gets or sets the generator of the outcome an injected call returns; returning <see langword="null"/> runs the
    /// call normally. It must be set.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ChaosGeneratorArguments, ValueTask<Outcome<TResult>?>>? OutcomeGenerator { get; set; }

    /// <summary>
    /// Gets or sets a callback raised when an outcome is injected. An exception it throws is reported to telemetry,
    /// not to the caller.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<OnOutcomeInjectedArguments<TResult>, ValueTask>? OnOutcomeInjected { get; set; }
}
