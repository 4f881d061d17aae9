using System.Diagnostics.Metrics;

namespace Resilience.Telemetry;

/// <summary>
/// An observable instrument that live components report to (a breaker's state, a bulkhead's calls in use), declared by
/// the component. Telemetry only holds the components weakly and reads them when a listener observes.
/// </summary>
internal abstract class GaugeDefinition
{
    private protected GaugeDefinition(string name, string unit, string description, bool isUpDownCounter)
    {
        Name = name;
        Unit = unit;
        Description = description;
        IsUpDownCounter = isUpDownCounter;
    }

    public string Name { get; }

    public string Unit { get; }

    public string Description { get; }

    /// <summary>Gets a value indicating whether the instrument is an up-down counter (a count) rather than a gauge (a level).</summary>
    public bool IsUpDownCounter { get; }

    public abstract Measurement<int> Measure(object component);
}

/// <summary>A gauge read from components of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The component type.</typeparam>
internal sealed class GaugeDefinition<T> : GaugeDefinition
    where T : class
{
    private readonly Func<T, int> _read;
    private readonly string? _tagName;
    private readonly Func<T, string?>? _tagValue;

    private GaugeDefinition(string name, string unit, string description, bool isUpDownCounter, Func<T, int> read, string? tagName, Func<T, string?>? tagValue)
        : base(name, unit, description, isUpDownCounter)
    {
        _read = read;
        _tagName = tagName;
        _tagValue = tagValue;
    }

    /// <summary>A level (state, size), optionally tagged with the component's name.</summary>
    public static GaugeDefinition<T> Gauge(string name, string unit, string description, Func<T, int> read, string? tagName = null, Func<T, string?>? tagValue = null)
        => new(name, unit, description, isUpDownCounter: false, read, tagName, tagValue);

    /// <summary>A count that goes up and down (calls in use, calls queued), optionally tagged with the component's name.</summary>
    public static GaugeDefinition<T> UpDownCounter(string name, string unit, string description, Func<T, int> read, string? tagName = null, Func<T, string?>? tagValue = null)
        => new(name, unit, description, isUpDownCounter: true, read, tagName, tagValue);

    public override Measurement<int> Measure(object component)
    {
        var typed = (T)component;
        return _tagName is null
            ? new Measurement<int>(_read(typed))
            : new Measurement<int>(_read(typed), new KeyValuePair<string, object?>(_tagName, _tagValue?.Invoke(typed)));
    }
}
