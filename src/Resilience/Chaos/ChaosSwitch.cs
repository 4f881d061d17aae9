namespace Resilience.Chaos;

/// <summary>
/// A switch that turns every chaos strategy given it on or off at once, while the application runs: one instance per
/// application (the DI package binds it to the configuration key <c>Resilience:Chaos:Enabled</c>), never a static, so
/// tests and hosts each have their own.
/// </summary>
/// <remarks>
/// A strategy whose <see cref="ChaosStrategyOptions.Switch"/> is set injects nothing while the switch is off, whatever
/// <see cref="ChaosStrategyOptions.Enabled"/> or <see cref="ChaosStrategyOptions.EnabledGenerator"/> say; while it is
/// on, they decide.
/// </remarks>
public sealed class ChaosSwitch
{
    private volatile bool _isEnabled;

    /// <summary>Initializes a new instance of the <see cref="ChaosSwitch"/> class.</summary>
    /// <param name="isEnabled">Whether chaos starts enabled; off unless said otherwise.</param>
    public ChaosSwitch(bool isEnabled = false) => _isEnabled = isEnabled;

    /// <summary>Gets or sets a value indicating whether the chaos strategies given this switch may inject.</summary>
    /// <value>The value given to the constructor, <see langword="false"/> by default.</value>
    public bool IsEnabled
    {
        get => _isEnabled;
        set => _isEnabled = value;
    }
}
