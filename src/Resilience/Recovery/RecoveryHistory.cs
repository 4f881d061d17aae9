using Resilience.Internal;

namespace Resilience.Recovery;

/// <summary>
/// The finished runs of one or more workflows, bounded in memory: each workflow keeps its newest
/// <see cref="CapacityPerWorkflow"/> runs, so a noisy workflow never pushes another's out. Thread-safe.
/// </summary>
public sealed class RecoveryHistory
{
    /// <summary>The default number of runs kept per workflow.</summary>
    public const int DefaultCapacityPerWorkflow = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<RecoveryRunRecord>> _runs = new(StringComparer.Ordinal);

    /// <summary>
    /// Initializes a new instance of the <see cref="RecoveryHistory"/> class.
    /// </summary>
    /// <param name="capacityPerWorkflow">How many runs each workflow keeps (the oldest go first), from 1 to 100,000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityPerWorkflow"/> is out of range.</exception>
    public RecoveryHistory(int capacityPerWorkflow = DefaultCapacityPerWorkflow)
    {
        OptionGuard.InRange(capacityPerWorkflow, 1, 100_000, "RecoveryHistory.CapacityPerWorkflow");
        CapacityPerWorkflow = capacityPerWorkflow;
    }

    /// <summary>Gets how many runs each workflow keeps.</summary>
    public int CapacityPerWorkflow { get; }

    /// <summary>Gets the names of the workflows that have runs, in ordinal order.</summary>
    public IReadOnlyList<string> WorkflowNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _runs.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Gets a workflow's runs, newest first.</summary>
    /// <param name="workflowName">The workflow's name.</param>
    /// <returns>The runs (empty for an unknown workflow).</returns>
    public IReadOnlyList<RecoveryRunRecord> GetRuns(string workflowName)
    {
        ArgumentNullException.ThrowIfNull(workflowName);
        lock (_lock)
        {
            return _runs.TryGetValue(workflowName, out var runs) ? NewestFirst(runs) : [];
        }
    }

    /// <summary>Computes a workflow's statistics over its runs in the history.</summary>
    /// <param name="workflowName">The workflow's name.</param>
    /// <returns>The statistics (zeros for an unknown workflow).</returns>
    public RecoveryWorkflowStatistics GetStatistics(string workflowName)
    {
        var runs = GetRuns(workflowName);
        var byTrigger = runs.GroupBy(r => r.Trigger).ToDictionary(g => g.Key, g => RecoveryRunStatistics.Of([.. g]));
        return new RecoveryWorkflowStatistics(workflowName, RecoveryRunStatistics.Of(runs), byTrigger);
    }

    /// <summary>Computes the statistics of every workflow with runs in the history.</summary>
    /// <returns>The statistics, by workflow name.</returns>
    public IReadOnlyDictionary<string, RecoveryWorkflowStatistics> GetStatistics()
        => WorkflowNames.ToDictionary(n => n, GetStatistics, StringComparer.Ordinal);

    internal void Add(RecoveryRunRecord record)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(record.WorkflowName, out var runs))
            {
                runs = new Queue<RecoveryRunRecord>();
                _runs.Add(record.WorkflowName, runs);
            }

            runs.Enqueue(record);
            while (runs.Count > CapacityPerWorkflow)
            {
                runs.Dequeue();
            }
        }
    }

    private static RecoveryRunRecord[] NewestFirst(Queue<RecoveryRunRecord> runs)
    {
        var copy = runs.ToArray();
        Array.Reverse(copy);
        return copy;
    }
}
