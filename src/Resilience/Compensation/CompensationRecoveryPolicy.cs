namespace Resilience.Compensation;

/// <summary>
/// What <see cref="CompensationManager.RecoverAsync"/> does with an operation the journal shows as started but neither
/// completed nor rolled back (the process stopped in between).
/// </summary>
public enum CompensationRecoveryPolicy
{
    /// <summary>Roll it back now, last-in first-out, from the last step not yet compensated.</summary>
    Compensate = 0,

    /// <summary>Park it in the dead letter queue; replaying the entry rolls it back.</summary>
    Park = 1,

    /// <summary>Leave it alone and forget it (for example when an operator reconciles by hand).</summary>
    Ignore = 2,
}
