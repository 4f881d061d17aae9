namespace Resilience.CircuitBreaker;

internal static class CircuitBreakerConstants
{
    public const string DefaultName = "CircuitBreaker";
    public const string OnOpenedEvent = "OnCircuitOpened";
    public const string OnClosedEvent = "OnCircuitClosed";
    public const string OnHalfOpenedEvent = "OnCircuitHalfOpened";
    public const string OnRejectedEvent = "OnCircuitRejected";

    // A generated break longer than any option may be is cut to the same bound.
    public static readonly TimeSpan MaxBreakDuration = Resilience.Internal.OptionGuard.MaxDuration;
}
