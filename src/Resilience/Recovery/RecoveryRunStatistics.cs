namespace Resilience.Recovery;

/// <summary>
/// Counts and durations of a set of finished runs (those still in the history).
/// </summary>
public sealed class RecoveryRunStatistics
{
    internal RecoveryRunStatistics(int runs, int succeeded, int failed, int cancelled, TimeSpan meanDuration, TimeSpan p95Duration)
    {
        Runs = runs;
        Succeeded = succeeded;
        Failed = failed;
        Cancelled = cancelled;
        MeanDuration = meanDuration;
        P95Duration = p95Duration;
    }

    /// <summary>Gets the number of runs.</summary>
    public int Runs { get; }

    /// <summary>Gets the number of runs that succeeded.</summary>
    public int Succeeded { get; }

    /// <summary>Gets the number of runs that failed.</summary>
    public int Failed { get; }

    /// <summary>Gets the number of runs that were cancelled.</summary>
    public int Cancelled { get; }

    /// <summary>Gets the share of runs that succeeded, from 0 to 1 (0 when there is none).</summary>
    public double SuccessRate => Runs == 0 ? 0 : (double)Succeeded / Runs;

    /// <summary>Gets the mean duration (zero when there is no run).</summary>
    public TimeSpan MeanDuration { get; }

    /// <summary>Gets the 95th percentile of the durations, by nearest rank (zero when there is no run).</summary>
    public TimeSpan P95Duration { get; }

    internal static RecoveryRunStatistics Of(IReadOnlyCollection<RecoveryRunRecord> runs)
    {
        if (runs.Count == 0)
        {
            return new(0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);
        }

        int succeeded = 0, failed = 0, cancelled = 0;
        var durations = new long[runs.Count];
        var i = 0;
        double total = 0;
        foreach (var run in runs)
        {
            switch (run.State)
            {
                case RecoveryRunState.Succeeded: succeeded++; break;
                case RecoveryRunState.Failed: failed++; break;
                case RecoveryRunState.Cancelled: cancelled++; break;
            }

            durations[i++] = run.Duration.Ticks;
            total += run.Duration.Ticks;
        }

        Array.Sort(durations);

        // Nearest rank: the smallest duration that at least 95 % of the runs do not exceed.
        var rank = (int)Math.Ceiling(0.95 * durations.Length) - 1;
        return new(runs.Count, succeeded, failed, cancelled, TimeSpan.FromTicks((long)(total / durations.Length)), TimeSpan.FromTicks(durations[rank]));
    }
}
