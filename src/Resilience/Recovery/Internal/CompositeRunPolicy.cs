namespace Resilience.Recovery.Internal;

/// <summary>Every policy must allow; when several defer, the run waits for the latest known time.</summary>
internal sealed class CompositeRunPolicy(RecoveryRunPolicy[] policies) : RecoveryRunPolicy
{
    public override RecoveryRunDecision Evaluate(RecoveryPolicyContext context)
    {
        RecoveryRunDecision? deferred = null;
        foreach (var policy in policies)
        {
            var decision = policy.Evaluate(context);
            if (decision.IsAllowed)
            {
                continue;
            }

            // An unknown time (ask again later) outranks a known one: the run cannot be promised any earlier.
            if (deferred is not { } current)
            {
                deferred = decision;
            }
            else if (current.NotBefore is { } at && (decision.NotBefore is null || decision.NotBefore > at))
            {
                deferred = decision;
            }
        }

        return deferred ?? RecoveryRunDecision.Allow;
    }
}
