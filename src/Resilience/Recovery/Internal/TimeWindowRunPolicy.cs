namespace Resilience.Recovery.Internal;

/// <summary>At most N run starts in any sliding window.</summary>
internal sealed class TimeWindowRunPolicy(int maxRuns, TimeSpan window) : RecoveryRunPolicy
{
    public override RecoveryRunDecision Evaluate(RecoveryPolicyContext context)
    {
        var since = context.Now - window;
        var inWindow = 0;
        DateTimeOffset oldest = default;

        // Newest first: the last one counted is the oldest start inside the window.
        foreach (var run in context.RecentRuns)
        {
            if (run.StartedAt <= since)
            {
                break;
            }

            inWindow++;
            oldest = run.StartedAt;
        }

        return inWindow < maxRuns
            ? RecoveryRunDecision.Allow
            : RecoveryRunDecision.Defer(oldest + window, $"{inWindow} run(s) started in the last {window}; at most {maxRuns} are allowed.");
    }
}
