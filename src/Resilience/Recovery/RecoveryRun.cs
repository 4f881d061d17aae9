using System.Collections.Concurrent;

namespace Resilience.Recovery;

/// <summary>
/// A recovery run in progress (or finished): its identity, its live state, and a task that completes with its record.
/// </summary>
public sealed class RecoveryRun
{
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource<RecoveryRunRecord> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _currentStep;
    private int _state = (int)RecoveryRunState.InProgress;

    internal RecoveryRun(string id, string workflowName, RecoveryTrigger trigger, string? triggeredBy, DateTimeOffset startedAt, IEnumerable<KeyValuePair<string, object?>>? properties, CancellationToken cancellationToken)
    {
        Id = id;
        WorkflowName = workflowName;
        Trigger = trigger;
        TriggeredBy = triggeredBy;
        StartedAt = startedAt;
        Properties = properties is null ? new(StringComparer.Ordinal) : new(properties, StringComparer.Ordinal);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Gets the run's id (time-ordered).</summary>
    public string Id { get; }

    /// <summary>Gets the workflow's name.</summary>
    public string WorkflowName { get; }

    /// <summary>Gets what started the run.</summary>
    public RecoveryTrigger Trigger { get; }

    /// <summary>Gets who or what started the run, if it was said.</summary>
    public string? TriggeredBy { get; }

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets the run's state: <see cref="RecoveryRunState.InProgress"/> until it ends.</summary>
    public RecoveryRunState State => (RecoveryRunState)Volatile.Read(ref _state);

    /// <summary>Gets the step running now, if any.</summary>
    public string? CurrentStep => _currentStep;

    /// <summary>Gets a task that completes with the run's record when the run ends (it never faults).</summary>
    public Task<RecoveryRunRecord> Completion => _completion.Task;

    internal ConcurrentDictionary<string, object?> Properties { get; }

    internal CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>
    /// Cancels the run: the running step's token is cancelled, no further step starts, and the completed steps are
    /// compensated. Harmless once the run ended.
    /// </summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended and released its token source: there is nothing left to cancel.
        }
    }

    internal void EnterStep(string? name) => _currentStep = name;

    internal void Finish(RecoveryRunRecord record)
    {
        _currentStep = null;
        Volatile.Write(ref _state, (int)record.State);
        _cancellation.Dispose();
        _completion.TrySetResult(record);
    }
}
