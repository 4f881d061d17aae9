using Resilience.Internal;

namespace Resilience.Chaos.Internal;

/// <summary>
/// Decides per call whether a chaos strategy injects: the global switch, then enabled, then a roll of the
/// randomizer against the injection rate. A snapshot of the options, taken when the strategy is added.
/// </summary>
internal sealed class ChaosInjector
{
    private readonly ChaosSwitch? _switch;
    private readonly bool _mayInject;
    private readonly double _rate;
    private readonly Func<ChaosGeneratorArguments, ValueTask<bool>>? _enabledGenerator;
    private readonly Func<ChaosGeneratorArguments, ValueTask<double>>? _rateGenerator;
    private readonly Func<double> _random;

    public ChaosInjector(ChaosStrategyOptions options, string optionsName)
    {
        var rate = options.InjectionRate;
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw OptionGuard.OutOfRange(optionsName + ".InjectionRate", rate, "must be between 0 and 1");
        }

        _switch = options.Switch;
        _rate = rate;
        _enabledGenerator = options.EnabledGenerator;
        _rateGenerator = options.InjectionRateGenerator;
        _random = options.Randomizer ?? Random.Shared.NextDouble;

        // A strategy that can never inject (disabled, or a fixed rate of zero) is skipped with one field read.
        _mayInject = (_enabledGenerator is not null || options.Enabled) && (_rateGenerator is not null || rate > 0);
    }

    /// <summary>
    /// Gets a value indicating whether no call can ever be injected (disabled, or a fixed rate of zero): such a
    /// strategy is not added to the pipeline at all, so it costs nothing. A switch cannot turn it on.
    /// </summary>
    public bool NeverInjects => !_mayInject;

    /// <summary>Gets a value indicating whether no call can be injected now: at most three field reads, nothing else.</summary>
    public bool IsOff => !_mayInject || (_switch is not null && !_switch.IsEnabled);

    /// <summary>Decides for one call; synchronously unless a generator completes asynchronously. May throw a generator's exception.</summary>
    public ValueTask<bool> ShouldInjectAsync(ResilienceContext context)
    {
        if (_enabledGenerator is null && _rateGenerator is null)
        {
            return new ValueTask<bool>(Roll(_rate));
        }

        return DecideAsync(context);
    }

    private async ValueTask<bool> DecideAsync(ResilienceContext context)
    {
        var args = new ChaosGeneratorArguments(context);
        if (_enabledGenerator is not null && !await _enabledGenerator(args).ConfigureAwait(false))
        {
            return false;
        }

        var rate = _rateGenerator is null ? _rate : await _rateGenerator(args).ConfigureAwait(false);
        return Roll(double.IsNaN(rate) ? 0 : Math.Clamp(rate, 0, 1));
    }

    // The randomizer returns values in [0, 1): a rate of 1 always injects, a rate of 0 never does.
    private bool Roll(double rate) => rate > 0 && _random() < rate;
}
