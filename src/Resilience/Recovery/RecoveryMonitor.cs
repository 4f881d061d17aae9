using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.Internal;
using Resilience.Recovery.Internal;

namespace Resilience.Recovery;

/// <summary>
/// Checks signals on an interval (from the options' <see cref="TimeProvider"/>) and triggers each unhealthy signal's
/// workflow as <see cref="RecoveryTrigger.Automatic"/>. A workflow already running is not started again (its run is
/// joined), and its run policy decides when it may run again. Checks never overlap: an interval that comes while a
/// check is still going is skipped. Thread-safe.
/// </summary>
public sealed class RecoveryMonitor : IAsyncDisposable
{
    /// <summary>The property-bag key under which a run started by the monitor finds the signal's name.</summary>
    public const string SignalProperty = "recovery.signal";

    private readonly Lock _lock = new();
    private readonly RecoverySignal[] _signals;
    private readonly Dictionary<string, RecoveryWorkflow> _workflows;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RecoveryRun, byte> _started = new();
    private CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _check = Task.CompletedTask;
    private int _checking;

    /// <summary>
    /// Initializes a new instance of the <see cref="RecoveryMonitor"/> class; call <see cref="Start"/> to begin checking.
    /// </summary>
    /// <param name="workflows">The workflows the signals may trigger.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <exception cref="ArgumentException">An option is invalid (the message names it), two workflows share a name, or a signal names a workflow that is not given.</exception>
    public RecoveryMonitor(IEnumerable<RecoveryWorkflow> workflows, RecoveryMonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.Positive(options.Interval, "RecoveryMonitorOptions.Interval");
        _time = OptionGuard.NotNull(options.TimeProvider, "RecoveryMonitorOptions.TimeProvider");
        _interval = options.Interval;
        _workflows = new Dictionary<string, RecoveryWorkflow>(StringComparer.Ordinal);
        foreach (var workflow in workflows)
        {
            ArgumentNullException.ThrowIfNull(workflow, nameof(workflows));
            if (!_workflows.TryAdd(workflow.Name, workflow))
            {
                throw new ArgumentException($"Two recovery workflows are named '{workflow.Name}'.", nameof(workflows));
            }
        }

        _signals = [.. options.Signals];
        for (var i = 0; i < _signals.Length; i++)
        {
            var signal = OptionGuard.NotNull(_signals[i], $"RecoveryMonitorOptions.Signals[{i}]");
            if (!_workflows.ContainsKey(signal.WorkflowName))
            {
                throw new ArgumentException($"RecoveryMonitorOptions.Signals[{i}] ('{signal.Name}') triggers workflow '{signal.WorkflowName}', which is not registered.", nameof(options));
            }
        }

        _logger = options.LoggerFactory?.CreateLogger(RecoveryLog.Category) ?? NullLogger.Instance;
    }

    /// <summary>Gets a value indicating whether the monitor is checking on its interval.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _timer is not null;
            }
        }
    }

    /// <summary>Starts checking: the first check is one interval from now. Harmless when already started.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_timer is not null)
            {
                return;
            }

            if (_stopping.IsCancellationRequested)
            {
                _stopping.Dispose();
                _stopping = new CancellationTokenSource();
            }

            _timer = _time.CreateTimer(static s => ((RecoveryMonitor)s!).OnInterval(), this, _interval, _interval);
        }
    }

    /// <summary>
    /// Stops checking, cancels the runs the monitor started (their completed steps are compensated) and waits for them
    /// and for a check in progress.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait (for example the host's shutdown timeout).</param>
    /// <returns>A task that completes when nothing the monitor started is running.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task check;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            check = _check;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        var pending = _started.Keys.Select(r => (Task)r.Completion).Append(check);
        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the monitor (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when it stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// Checks every signal now, in order, and triggers the workflows of the unhealthy ones. A signal whose check throws
    /// is logged and skipped.
    /// </summary>
    /// <param name="cancellationToken">Stops before the next signal.</param>
    /// <returns>What each trigger did, for the unhealthy signals.</returns>
    public async Task<IReadOnlyList<RecoveryTriggerResult>> CheckNowAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<RecoveryTriggerResult>();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        foreach (var signal in _signals)
        {
            linked.Token.ThrowIfCancellationRequested();
            RecoverySignalResult seen;
            try
            {
                seen = await signal.CheckAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One broken signal must not stop the others from being checked.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RecoveryLog.SignalCheckFailed(_logger, ex, signal.Name);
                continue;
            }

            if (!seen.IsUnhealthy)
            {
                continue;
            }

            RecoveryLog.SignalUnhealthy(_logger, signal.Name, seen.Description, signal.WorkflowName);
            var result = _workflows[signal.WorkflowName].Trigger(
                RecoveryTrigger.Automatic,
                seen.Description is null ? signal.Name : $"{signal.Name}: {seen.Description}",
                [new(SignalProperty, signal.Name)],
                _stopping.Token);
            if (result.Status == RecoveryTriggerStatus.Started && _started.TryAdd(result.Run!, 0))
            {
                _ = ForgetWhenDoneAsync(result.Run!);
            }

            results.Add(result);
        }

        return results;
    }

    private void OnInterval()
    {
        // No overlap: a slow signal makes the monitor skip intervals rather than pile checks up.
        if (Interlocked.CompareExchange(ref _checking, 1, 0) != 0)
        {
            return;
        }

        // Started outside the lock: the check triggers workflows, whose first steps run on this thread.
        var check = CheckOnIntervalAsync();
        lock (_lock)
        {
            _check = check;
        }
    }

    private async Task ForgetWhenDoneAsync(RecoveryRun run)
    {
        await run.Completion.ConfigureAwait(false);
        _started.TryRemove(run, out _);
    }

    private async Task CheckOnIntervalAsync()
    {
        try
        {
            await CheckNowAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }
}
