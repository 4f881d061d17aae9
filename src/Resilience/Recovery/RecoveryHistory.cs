using Resilience.Internal;
using Resilience.Recovery.Internal;

namespace Resilience.Recovery;

/// <summary>
/// The finished runs of one or more workflows, bounded in memory: each workflow keeps its newest
/// <see cref="CapacityPerWorkflow"/> runs, so a noisy workflow never pushes another's out. Thread-safe. Kept in memory
/// only (<see cref="RecoveryHistory(int)"/>) or also in a directory, so it survives a restart (<see cref="Open(string, int, TimeProvider?)"/>).
/// </summary>
public sealed class RecoveryHistory : IAsyncDisposable
{
    /// <summary>The default number of runs kept per workflow.</summary>
    public const int DefaultCapacityPerWorkflow = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<(RecoveryRunRecord Run, int Size)>> _runs = new(StringComparer.Ordinal);
    private RecoveryHistoryJournal? _journal;
    private long _liveBytes;

    /// <summary>
    /// Initializes a new instance of the <see cref="RecoveryHistory"/> class, kept in memory only.
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

    /// <summary>Gets the directory the history is persisted in, or <see langword="null"/> when it is kept in memory only.</summary>
    public string? Directory { get; private init; }

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

    internal long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>
    /// Opens (or creates) a history persisted in <paramref name="directory"/>, with the dead letter store's crash-safe
    /// log: every finished run is durable before the next trigger of its workflow sees it, and the runs kept before a
    /// restart are read back (their failures as <see cref="RecordedRecoveryFailureException"/>). One process at a time.
    /// </summary>
    /// <param name="directory">A directory of the history's own (created 0700 on Unix; not shared with a dead letter queue).</param>
    /// <param name="capacityPerWorkflow">How many runs each workflow keeps, from 1 to 100,000.</param>
    /// <param name="timeProvider">The clock for the log's housekeeping; the system clock by default.</param>
    /// <returns>The history; dispose it to close its files.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityPerWorkflow"/> is out of range.</exception>
    /// <exception cref="IOException">The directory is in use by another process, or cannot be read.</exception>
    public static RecoveryHistory Open(string directory, int capacityPerWorkflow = DefaultCapacityPerWorkflow, TimeProvider? timeProvider = null)
        => Open(directory, capacityPerWorkflow, timeProvider, DeadLetter.DurabilityMode.Always);

    /// <summary>Opens with another durability: tests that write thousands of runs need no fsync per run.</summary>
    internal static RecoveryHistory Open(string directory, int capacityPerWorkflow, TimeProvider? timeProvider, DeadLetter.DurabilityMode durability)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var history = new RecoveryHistory(capacityPerWorkflow) { Directory = Path.GetFullPath(directory) };
        history._journal = RecoveryHistoryJournal.Open(history, history.Directory, timeProvider ?? TimeProvider.System, durability);
        return history;
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

    /// <summary>Closes the history's files, if it is persisted.</summary>
    /// <returns>A task that completes when the files are closed.</returns>
    public ValueTask DisposeAsync() => _journal?.DisposeAsync() ?? default;

    /// <summary>Adds a finished run: durably first when persisted. A failed write still leaves it in memory, then throws.</summary>
    internal async Task AddAsync(RecoveryRunRecord record)
    {
        if (_journal is null)
        {
            AddCore(record, 0);
            return;
        }

        try
        {
            await _journal.AppendAsync(record).ConfigureAwait(false);
        }
        catch
        {
            // The run happened: the workflow's own policies must see it even when the disk refused it.
            AddCore(record, 0);
            throw;
        }
    }

    internal void AddCore(RecoveryRunRecord record, int size)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(record.WorkflowName, out var runs))
            {
                runs = new Queue<(RecoveryRunRecord, int)>();
                _runs.Add(record.WorkflowName, runs);
            }

            runs.Enqueue((record, size));
            _liveBytes += size;
            while (runs.Count > CapacityPerWorkflow)
            {
                _liveBytes -= runs.Dequeue().Size;
            }
        }
    }

    internal void Clear()
    {
        lock (_lock)
        {
            _runs.Clear();
            _liveBytes = 0;
        }
    }

    internal List<RecoveryRunRecord> AllRunsOldestFirst()
    {
        lock (_lock)
        {
            return [.. _runs.Values.SelectMany(runs => runs.Select(r => r.Run))];
        }
    }

    private static RecoveryRunRecord[] NewestFirst(Queue<(RecoveryRunRecord Run, int Size)> runs)
    {
        var copy = runs.Select(r => r.Run).ToArray();
        Array.Reverse(copy);
        return copy;
    }
}
