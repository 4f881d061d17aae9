namespace Resilience.Recovery;

/// <summary>
/// A run policy's answer: run now, or not yet (with the earliest time, when the policy knows it, and why).
/// </summary>
public readonly struct RecoveryRunDecision
{
    private RecoveryRunDecision(bool isAllowed, DateTimeOffset? notBefore, string? reason)
    {
        IsAllowed = isAllowed;
        NotBefore = notBefore;
        Reason = reason;
    }

    /// <summary>Gets a decision that allows the run.</summary>
    public static RecoveryRunDecision Allow => new(true, null, null);

    /// <summary>Gets a value indicating whether the run may start now.</summary>
    public bool IsAllowed { get; }

    /// <summary>Gets the earliest time the policy would allow the run, when deferred and known.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>Gets why the run is deferred.</summary>
    public string? Reason { get; }

    /// <summary>Creates a decision that defers the run.</summary>
    /// <param name="notBefore">The earliest time the run may start, when known (<see langword="null"/>: ask again later).</param>
    /// <param name="reason">Why, for logs and the trigger's result.</param>
    /// <returns>The decision.</returns>
    public static RecoveryRunDecision Defer(DateTimeOffset? notBefore, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(false, notBefore, reason);
    }
}
