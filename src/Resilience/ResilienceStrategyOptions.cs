namespace Resilience;

/// <summary>
/// The options every strategy shares.
/// </summary>
public abstract class ResilienceStrategyOptions
{
    /// <summary>
    /// Gets or sets the name of the strategy instance, used in telemetry and exception messages.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, which means the strategy's type name is used.</value>
    public string? Name { get; set; }
}
