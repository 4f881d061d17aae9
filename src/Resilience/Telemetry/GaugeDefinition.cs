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

    /// <summary>Adds the component's measurements (one, or one per tag value) to <paramref name="into"/>.</summary>
    public abstract void MeasureInto(object component, List<Measurement<int>> into);
}

/// <summary>A gauge read from components of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The component type.</typeparam>
internal sealed class GaugeDefinition<T> : GaugeDefinition
    where T : class
{
    private readonly Func<T, int>? _read;
    private readonly string? _tagName;
    private readonly Func<T, string?>? _tagValue;
    private readonly Action<T, List<Measurement<int>>>? _readMany;

    private GaugeDefinition(string name, string unit, string description, bool isUpDownCounter, Func<T, int>? read, string? tagName, Func<T, string?>? tagValue, Action<T, List<Measurement<int>>>? readMany = null)
        : base(name, unit, description, isUpDownCounter)
    {
        _read = read;
        _tagName = tagName;
        _tagValue = tagValue;
        _readMany = readMany;
    }

    /// <summary>A level (state, size), optionally tagged with the component's name.</summary>
    public static GaugeDefinition<T> Gauge(string name, string unit, string description, Func<T, int> read, string? tagName = null, Func<T, string?>? tagValue = null)
        => new(name, unit, description, isUpDownCounter: false, read, tagName, tagValue);

    /// <summary>A count that goes up and down (calls in use, calls queued), optionally tagged with the component's name.</summary>
    public static GaugeDefinition<T> UpDownCounter(string name, string unit, string description, Func<T, int> read, string? tagName = null, Func<T, string?>? tagValue = null)
        => new(name, unit, description, isUpDownCounter: true, read, tagName, tagValue);

    /// <summary>A level reported as several measurements per component, each with its own tags (a queue's entries per status).</summary>
    public static GaugeDefinition<T> GaugeOfMany(string name, string unit, string description, Action<T, List<Measurement<int>>> read)
        => new(name, unit, description, isUpDownCounter: false, read: null, tagName: null, tagValue: null, readMany: read);

    public override void MeasureInto(object component, List<Measurement<int>> into)
    {
        var typed = (T)component;
        if (_readMany is not null)
        {
            _readMany(typed, into);
            return;
        }

        into.Add(_tagName is null
            ? new Measurement<int>(_read!(typed))
            : new Measurement<int>(_read!(typed), new KeyValuePair<string, object?>(_tagName, _tagValue?.Invoke(typed))));
    }
}
