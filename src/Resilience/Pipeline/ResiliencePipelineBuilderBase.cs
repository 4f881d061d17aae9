using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience;

/// <summary>
/// What the non-generic and the result-aware pipeline builders share: the name, the time source and the ordered
/// list of strategies. The first strategy added is the outermost.
/// </summary>
public abstract class ResiliencePipelineBuilderBase
{
    // A factory builds a strategy of this pipeline; a pipeline entry stands for the strategies of one composed in.
    private readonly List<(Func<StrategyBuilderContext, ResilienceStrategy>? Factory, ResiliencePipeline? Pipeline)> _factories = [];
    private TimeProvider _timeProvider = TimeProvider.System;

    private protected ResiliencePipelineBuilderBase()
    {
    }

    /// <summary>
    /// Gets or sets the name of the pipeline, used in telemetry and exception messages.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets the time source of every delay, timer and window in the pipeline.
    /// </summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(TimeProvider));
            _timeProvider = value;
        }
    }

    /// <summary>
    /// Gets or sets the logger factory strategies log their events to (category <c>Resilience</c>); the DI registration
    /// sets the container's.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets the meter factory the pipeline's instruments come from; the DI registration sets the container's.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the process-wide meter named <c>Resilience</c>.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets the number of strategies added so far (a pipeline added with <c>AddPipeline</c> counts as one).
    /// </summary>
    public int Count => _factories.Count;

    internal Telemetry.ResilienceInstruments Instruments()
        => MeterFactory is null ? Telemetry.ResilienceInstruments.Shared : Telemetry.ResilienceInstruments.For(MeterFactory.Create(Telemetry.ResilienceTelemetryNames.Meter));

    internal void AddStrategyCore(Func<StrategyBuilderContext, ResilienceStrategy> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories.Add((factory, null));
    }

    internal void AddPipelineCore(ResiliencePipeline pipeline) => _factories.Add((null, pipeline));

    internal Internal.StrategyChain? BuildChain()
    {
        if (_factories.Count == 0)
        {
            return null;
        }

        var context = new StrategyBuilderContext(Name, TimeProvider, LoggerFactory, MeterFactory);
        var strategies = new List<ResilienceStrategy>(_factories.Count);
        try
        {
            for (var i = 0; i < _factories.Count; i++)
            {
                var (factory, pipeline) = _factories[i];
                if (pipeline is not null)
                {
                    // Composed in place rather than wrapped: the composed pipeline's own strategy instances (so a breaker
                    // keeps one state, as in Polly) join this chain, and the walk stays one generic level deep, which
                    // a wrapper calling into another chain would not be under native AOT (see StrategyChain).
                    strategies.AddRange(pipeline.Strategies);
                    continue;
                }

                strategies.Add(factory!(context) ?? throw new InvalidOperationException($"The strategy factory at position {i} returned null."));
            }
        }
        catch
        {
            // A failed build must not leak what the factories that ran created for it.
            context.Owned.Dispose();
            throw;
        }

        if (strategies.Count == 0)
        {
            return null;
        }

        // The first strategy added is the outermost.
        return new Internal.StrategyChain([.. strategies]) { Owned = context.Owned };
    }
}
