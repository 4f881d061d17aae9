using Resilience.CircuitBreaker;

namespace Resilience.Recovery.Internal;

/// <summary>Waits for the named breaker's break to elapse; never runs over a breaker isolated by hand.</summary>
internal sealed class BreakerAlignedRunPolicy(CircuitBreakerRegistry registry, string breakerName) : RecoveryRunPolicy
{
    public override RecoveryRunDecision Evaluate(RecoveryPolicyContext context)
    {
        if (!registry.TryGet(breakerName, out var breaker))
        {
            return RecoveryRunDecision.Allow;
        }

        switch (breaker.State)
        {
            case CircuitState.Open when breaker.TimeUntilHalfOpen is { } remaining && remaining > TimeSpan.Zero:
                return RecoveryRunDecision.Defer(context.Now + remaining, $"Circuit breaker '{breakerName}' is open for {remaining} more.");
            case CircuitState.Isolated:
                // An operator isolated it on purpose: automatic recovery must not undo that.
                return RecoveryRunDecision.Defer(null, $"Circuit breaker '{breakerName}' is isolated by hand.");
            default:
                return RecoveryRunDecision.Allow;
        }
    }
}
