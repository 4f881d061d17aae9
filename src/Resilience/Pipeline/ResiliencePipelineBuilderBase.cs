using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience;

/// <summary>
/// What the non-generic and the result-aware pipeline builders share: the name, the time source and the ordered
/// list of strategies. The first strategy added is the outermost.
/// </summary>
public abstract class ResiliencePipelineBuilderBase
{
    private readonly List<Func<StrategyBuilderContext, ResilienceStrategy>> _factories = [];
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
    /// Gets the number of strategies added so far.
    /// </summary>
    public int Count => _factories.Count;

    internal Telemetry.ResilienceInstruments Instruments()
        => MeterFactory is null ? Telemetry.ResilienceInstruments.Shared : Telemetry.ResilienceInstruments.For(MeterFactory.Create(Telemetry.ResilienceTelemetryNames.Meter));

    internal void AddStrategyCore(Func<StrategyBuilderContext, ResilienceStrategy> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories.Add(factory);
    }

    internal Internal.StrategyChain? BuildChain()
    {
        if (_factories.Count == 0)
        {
            return null;
        }

        var context = new StrategyBuilderContext(Name, TimeProvider, LoggerFactory, MeterFactory);
        var strategies = new ResilienceStrategy[_factories.Count];
        try
        {
            for (var i = 0; i < strategies.Length; i++)
            {
                strategies[i] = _factories[i](context) ?? throw new InvalidOperationException($"The strategy factory at position {i} returned null.");
            }
        }
        catch
        {
            // A failed build must not leak what the factories that ran created for it.
            context.Owned.Dispose();
            throw;
        }

        // The first strategy added is the outermost.
        return new Internal.StrategyChain(strategies) { Owned = context.Owned };
    }
}
