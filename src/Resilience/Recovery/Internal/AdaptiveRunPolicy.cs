using Resilience.Retry;

namespace Resilience.Recovery.Internal;

/// <summary>The more of the recent runs failed, the longer the wait after the last one.</summary>
internal sealed class AdaptiveRunPolicy(int sampleSize, TimeSpan baseDelay, TimeSpan maxDelay) : RecoveryRunPolicy
{
    public override RecoveryRunDecision Evaluate(RecoveryPolicyContext context)
    {
        var failures = 0;
        var runs = context.RecentRuns;
        for (var i = 0; i < runs.Count && i < sampleSize; i++)
        {
            if (runs[i].State == RecoveryRunState.Failed)
            {
                failures++;
            }
        }

        if (failures == 0 || context.LastRun is not { } last)
        {
            return RecoveryRunDecision.Allow;
        }

        var delay = BackoffRunPolicy.Delay(BackoffType.Exponential, failures - 1, baseDelay, maxDelay);
        var notBefore = last.EndedAt + delay;
        return context.Now >= notBefore
            ? RecoveryRunDecision.Allow
            : RecoveryRunDecision.Defer(notBefore, $"{failures} of the last {Math.Min(sampleSize, runs.Count)} run(s) failed: waiting {delay} after the last one.");
    }
}
