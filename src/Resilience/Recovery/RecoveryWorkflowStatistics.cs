namespace Resilience.Recovery;

/// <summary>
/// The statistics of one workflow's runs still in the history: overall and by trigger kind.
/// </summary>
public sealed class RecoveryWorkflowStatistics
{
    internal RecoveryWorkflowStatistics(string workflowName, RecoveryRunStatistics all, IReadOnlyDictionary<RecoveryTrigger, RecoveryRunStatistics> byTrigger)
    {
        WorkflowName = workflowName;
        All = all;
        ByTrigger = byTrigger;
    }

    /// <summary>Gets the workflow's name.</summary>
    public string WorkflowName { get; }

    /// <summary>Gets the statistics of every run.</summary>
    public RecoveryRunStatistics All { get; }

    /// <summary>Gets the statistics by trigger kind (only kinds that have runs).</summary>
    public IReadOnlyDictionary<RecoveryTrigger, RecoveryRunStatistics> ByTrigger { get; }
}
