using System.ComponentModel;

namespace Resilience.Chaos;

/// <summary>
/// What every chaos strategy shares: whether it is enabled and how often it injects.
/// </summary>
public abstract class ChaosStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>
    /// Gets or sets the share of calls that get the chaos, from 0 (none) to 1 (all).
    /// </summary>
    /// <value>The default value is 0.001 (one call in a thousand).</value>
    public double InjectionRate { get; set; } = ChaosConstants.DefaultInjectionRate;

    /// <summary>
    /// Gets or sets a generator of the injection rate per call; it replaces <see cref="InjectionRate"/>. A value
    /// outside [0, 1] is clamped. An exception it throws fails the call with that exception.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<see cref="InjectionRate"/> is used).</value>
    public Func<ChaosGeneratorArguments, ValueTask<double>>? InjectionRateGenerator { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the strategy may inject at all. A disabled strategy costs a few field reads.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets a generator that decides per call whether the strategy is enabled; it replaces
    /// <see cref="Enabled"/>. An exception it throws fails the call with that exception.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<see cref="Enabled"/> is used).</value>
    public Func<ChaosGeneratorArguments, ValueTask<bool>>? EnabledGenerator { get; set; }

    /// <summary>
    /// Gets or sets the application's global chaos switch: while it is off, the strategy injects nothing, whatever
    /// <see cref="Enabled"/> and <see cref="EnabledGenerator"/> say. With dependency injection, pass the container's
    /// (bound to <c>Resilience:Chaos:Enabled</c>, off when the key is missing).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no global switch).</value>
    public ChaosSwitch? Switch { get; set; }

    /// <summary>Gets or sets the source of randomness, returning values in [0, 1); tests pin it to make injection predictable.</summary>
    /// <value>The default value is <see langword="null"/>, which uses <see cref="Random.Shared"/>.</value>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Func<double>? Randomizer { get; set; }
}
