namespace Resilience.Recovery;

/// <summary>
/// What a <see cref="RecoverySignal"/> saw: healthy, or unhealthy with a description.
/// </summary>
public readonly struct RecoverySignalResult
{
    private RecoverySignalResult(bool isUnhealthy, string? description)
    {
        IsUnhealthy = isUnhealthy;
        Description = description;
    }

    /// <summary>Gets a healthy result.</summary>
    public static RecoverySignalResult Healthy => default;

    /// <summary>Gets a value indicating whether the signal asks for recovery.</summary>
    public bool IsUnhealthy { get; }

    /// <summary>Gets what is wrong, for logs and the run's <see cref="RecoveryRun.TriggeredBy"/>.</summary>
    public string? Description { get; }

    /// <summary>Creates an unhealthy result.</summary>
    /// <param name="description">What is wrong (never put a secret here: it is logged).</param>
    /// <returns>The result.</returns>
    public static RecoverySignalResult Unhealthy(string description) => new(true, description);
}
