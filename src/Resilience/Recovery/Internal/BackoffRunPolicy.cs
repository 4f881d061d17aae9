using Resilience.Retry;
using Resilience.Retry.Internal;

namespace Resilience.Recovery.Internal;

/// <summary>Waits after consecutive failed runs, with the retry strategy's backoff maths.</summary>
internal sealed class BackoffRunPolicy(BackoffType backoff, TimeSpan baseDelay, TimeSpan maxDelay) : RecoveryRunPolicy
{
    public override RecoveryRunDecision Evaluate(RecoveryPolicyContext context)
    {
        var failures = context.ConsecutiveFailures;
        if (failures == 0 || context.LastRun is not { } last)
        {
            return RecoveryRunDecision.Allow;
        }

        var delay = Delay(backoff, failures - 1, baseDelay, maxDelay);
        var notBefore = last.EndedAt + delay;
        return context.Now >= notBefore
            ? RecoveryRunDecision.Allow
            : RecoveryRunDecision.Defer(notBefore, $"{failures} failed run(s) in a row: {backoff} backoff waits {delay} after the last one.");
    }

    // No jitter: one workflow runs at a time, so there is no herd to spread, and an operator can predict the wait.
    internal static TimeSpan Delay(BackoffType type, int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var previous = 0.0;
        return BackoffCalculator.Compute(type, retry, baseDelay, maxDelay, JitterMode.None, 0, static () => 0, ref previous);
    }
}
