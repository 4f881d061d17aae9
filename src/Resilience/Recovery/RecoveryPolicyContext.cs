namespace Resilience.Recovery;

/// <summary>
/// What a <see cref="RecoveryRunPolicy"/> decides from: the workflow, the time, and its recent runs.
/// </summary>
public sealed class RecoveryPolicyContext
{
    internal RecoveryPolicyContext(string workflowName, DateTimeOffset now, IReadOnlyList<RecoveryRunRecord> recentRuns)
    {
        WorkflowName = workflowName;
        Now = now;
        RecentRuns = recentRuns;
        var failures = 0;
        foreach (var run in recentRuns)
        {
            if (run.State == RecoveryRunState.Succeeded)
            {
                break;
            }

            // A cancelled run says nothing about the dependency: it neither counts nor resets the streak.
            if (run.State == RecoveryRunState.Failed)
            {
                failures++;
            }
        }

        ConsecutiveFailures = failures;
    }

    /// <summary>Gets the workflow's name.</summary>
    public string WorkflowName { get; }

    /// <summary>Gets the current time, from the workflow's time source.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Gets the workflow's runs still in its history, newest first (every trigger kind).</summary>
    public IReadOnlyList<RecoveryRunRecord> RecentRuns { get; }

    /// <summary>Gets the number of failed runs since the last successful one (cancelled runs are skipped).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>Gets the newest run, if any.</summary>
    public RecoveryRunRecord? LastRun => RecentRuns.Count > 0 ? RecentRuns[0] : null;
}
