using Microsoft.Extensions.Logging;
using Resilience.Recovery.Internal;

namespace Resilience.Recovery;

/// <summary>
/// An ordered list of recovery steps for one failure scenario, run at most once at a time: a trigger while a run is in
/// progress returns that run. Build one with <see cref="RecoveryWorkflowBuilder"/>. Thread-safe.
/// </summary>
public sealed class RecoveryWorkflow
{
    private readonly Lock _lock = new();
    private readonly RecoveryRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RecoveryRunPolicy? _policy;
    private RecoveryRun? _current;

    internal RecoveryWorkflow(string name, string? failureKind, RecoveryStep[] steps, TimeProvider time, ILogger logger, RecoveryRunPolicy? policy, RecoveryHistory history, Compensation.CompensationManager compensations, RecoveryInstruments instruments)
    {
        Name = name;
        FailureKind = failureKind;
        StepNames = [.. steps.Select(s => s.Name)];
        History = history;
        _time = time;
        _logger = logger;
        _policy = policy;
        _runner = new RecoveryRunner(name, steps, time, logger, compensations, instruments);
        instruments.Observe(this);
    }

    /// <summary>Gets the workflow's name.</summary>
    public string Name { get; }

    /// <summary>Gets the kind of failure the workflow handles (for example <c>api-failure</c>), if said.</summary>
    public string? FailureKind { get; }

    /// <summary>Gets the names of the steps, in the order they run.</summary>
    public IReadOnlyList<string> StepNames { get; }

    /// <summary>Gets the history the workflow's finished runs go to.</summary>
    public RecoveryHistory History { get; }

    /// <summary>Gets the run in progress, if any.</summary>
    public RecoveryRun? CurrentRun
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Gets <see cref="RecoveryRunState.InProgress"/> while a run is in progress, else <see cref="RecoveryRunState.Idle"/>.</summary>
    public RecoveryRunState State => CurrentRun is null ? RecoveryRunState.Idle : RecoveryRunState.InProgress;

    /// <summary>
    /// Starts a run, unless one is in progress (it is returned instead) or, for an <see cref="RecoveryTrigger.Automatic"/>
    /// trigger, the run policy defers it. The run starts on the calling thread and goes on asynchronously at the first
    /// step that awaits; await <see cref="RecoveryRun.Completion"/> for its record.
    /// </summary>
    /// <param name="trigger">What asks for the run.</param>
    /// <param name="triggeredBy">Who or what asks (an operator's name, a signal), for the history and logs.</param>
    /// <param name="properties">Initial entries of the property bag the steps share.</param>
    /// <param name="cancellationToken">Cancels the run (not only the trigger): the running step's token, then compensation of the completed steps.</param>
    /// <returns>What the trigger did.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a defined kind.</exception>
    public RecoveryTriggerResult Trigger(RecoveryTrigger trigger, string? triggeredBy = null, IEnumerable<KeyValuePair<string, object?>>? properties = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(trigger))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Unknown recovery trigger.");
        }

        RecoveryRun run;
        lock (_lock)
        {
            if (_current is { } running)
            {
                RecoveryLog.AlreadyRunning(_logger, Name, RecoveryLog.TriggerNames[(int)trigger], triggeredBy, running.Id);
                return RecoveryTriggerResult.AlreadyRunning(running);
            }

            var now = _time.GetUtcNow();
            if (trigger == RecoveryTrigger.Automatic && _policy is not null)
            {
                var decision = _policy.Evaluate(new RecoveryPolicyContext(Name, now, History.GetRuns(Name)));
                if (!decision.IsAllowed)
                {
                    RecoveryLog.Deferred(_logger, Name, decision.NotBefore, decision.Reason);
                    return RecoveryTriggerResult.Deferred(decision);
                }
            }

            run = new RecoveryRun(Guid.CreateVersion7(now).ToString("N"), Name, trigger, triggeredBy, now, properties, cancellationToken);
            _current = run;
        }

        _ = ExecuteAsync(run);
        return RecoveryTriggerResult.Started(run);
    }

    /// <summary>
    /// Triggers a run (or joins the one in progress) and waits for its record.
    /// </summary>
    /// <param name="trigger">What asks for the run.</param>
    /// <param name="triggeredBy">Who or what asks.</param>
    /// <param name="cancellationToken">Cancels the run started by this call (a joined run is only no longer waited for).</param>
    /// <returns>The record of the run started or joined.</returns>
    /// <exception cref="InvalidOperationException">The run policy deferred an automatic run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for a joined run.</exception>
    public async Task<RecoveryRunRecord> RunAsync(RecoveryTrigger trigger, string? triggeredBy = null, CancellationToken cancellationToken = default)
    {
        var result = Trigger(trigger, triggeredBy, properties: null, cancellationToken);
        var run = result.Run ?? throw new InvalidOperationException($"Recovery workflow '{Name}' was deferred by its run policy: {result.Reason}");

        // A run this call started ends (cancelled) with the token, so its record is awaited; a joined one is not ours to cancel.
        return result.Status == RecoveryTriggerStatus.Started
            ? await run.Completion.ConfigureAwait(false)
            : await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Computes the statistics of the workflow's runs in its history.</summary>
    /// <returns>The statistics.</returns>
    public RecoveryWorkflowStatistics GetStatistics() => History.GetStatistics(Name);

    private async Task ExecuteAsync(RecoveryRun run)
    {
        RecoveryRunRecord record;
        try
        {
            record = await _runner.ExecuteAsync(run).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Steps' failures are caught per step; this is a bug net so a run can never stay "in progress".
        catch (Exception ex)
#pragma warning restore CA1031
        {
            record = new RecoveryRunRecord(run, RecoveryRunState.Failed, _time.GetUtcNow(), [], ex);
        }

        // History first, then the slot: a trigger that finds the slot free also finds this run in the history.
        try
        {
            await History.AddAsync(record).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A history that cannot persist must not leave the run unfinished; it is in memory and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RecoveryLog.HistoryNotPersisted(_logger, ex, Name, record.RunId);
        }

        lock (_lock)
        {
            _current = null;
        }

        run.Finish(record);
    }
}
