using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Resilience.Compensation;
using Resilience.Telemetry;

namespace Resilience.Recovery.Internal;

/// <summary>
/// Runs one workflow's steps in order through their pipelines, records each outcome, and on a required step's
/// failure (or cancellation) compensates the completed steps last first through a <see cref="CompensationScope"/>.
/// </summary>
internal sealed class RecoveryRunner
{
    private readonly string _workflowName;
    private readonly RecoveryStep[] _steps;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CompensationManager _compensations;
    private readonly RecoveryInstruments _instruments;

    public RecoveryRunner(string workflowName, RecoveryStep[] steps, TimeProvider time, ILogger logger, CompensationManager compensations, RecoveryInstruments instruments)
    {
        _workflowName = workflowName;
        _steps = steps;
        _time = time;
        _logger = logger;
        _compensations = compensations;
        _instruments = instruments;
    }

    public async Task<RecoveryRunRecord> ExecuteAsync(RecoveryRun run)
    {
        using var activity = ResilienceInstruments.ActivitySource.StartActivity(RecoveryTelemetryNames.RunActivity);
        activity?.SetTag(RecoveryTelemetryNames.WorkflowTag, _workflowName);
        activity?.SetTag(RecoveryTelemetryNames.TriggerTag, RecoveryLog.TriggerNames[(int)run.Trigger]);
        activity?.SetTag(RecoveryTelemetryNames.RunIdTag, run.Id);
        RecoveryLog.RunStarted(_logger, run.Id, _workflowName, RecoveryLog.TriggerNames[(int)run.Trigger], run.TriggeredBy);

        var records = new RecoveryStepRecord[_steps.Length];
        var compensable = new List<int>();
        var state = RecoveryRunState.Succeeded;
        Exception? error = null;
        string? failedStep = null;
        var scope = _compensations.Begin($"recovery:{_workflowName}:{run.Id}");
        try
        {
            var next = 0;
            for (; next < _steps.Length; next++)
            {
                if (run.CancellationToken.IsCancellationRequested)
                {
                    state = RecoveryRunState.Cancelled;
                    break;
                }

                var step = _steps[next];
                var record = await RunStepAsync(run, step).ConfigureAwait(false);
                records[next] = record;
                if (record.Status == RecoveryStepStatus.Succeeded)
                {
                    if (step.Compensation is not null)
                    {
                        // Registered once the step completed: only completed steps are undone.
                        scope.Register((Runner: this, Run: run, Step: step), static (s, ct) => s.Step.Compensation!(new RecoveryStepContext(s.Run, s.Step.Name, 1, s.Runner._logger, s.Runner._time, ct)));
                        compensable.Add(next);
                    }
                }
                else if (record.Status == RecoveryStepStatus.Cancelled)
                {
                    state = RecoveryRunState.Cancelled;
                    next++;
                    break;
                }
                else if (!step.Optional)
                {
                    state = RecoveryRunState.Failed;
                    error = record.Error;
                    failedStep = step.Name;
                    next++;
                    break;
                }
            }

            for (; next < _steps.Length; next++)
            {
                records[next] = new RecoveryStepRecord(_steps[next].Name, _steps[next].Optional, RecoveryStepStatus.NotRun, 0, null, TimeSpan.Zero, null);
            }

            run.EnterStep(null);
            if (state == RecoveryRunState.Succeeded)
            {
                scope.Complete();
            }
            else
            {
                var result = await scope.CompensateAsync().ConfigureAwait(false);
                foreach (var compensation in result.Steps)
                {
                    var record = records[compensable[compensation.Index]];
                    record.Compensated(compensation.Succeeded, compensation.Exception);
                    if (!compensation.Succeeded)
                    {
                        RecoveryLog.CompensationFailed(_logger, compensation.Exception, record.Name, run.Id, _workflowName);
                    }
                }
            }
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }

        var runRecord = new RecoveryRunRecord(run, state, _time.GetUtcNow(), records, error);
        Report(activity, runRecord, failedStep);
        return runRecord;
    }

    private async Task<RecoveryStepRecord> RunStepAsync(RecoveryRun run, RecoveryStep step)
    {
        run.EnterStep(step.Name);
        using var activity = ResilienceInstruments.ActivitySource.StartActivity(RecoveryTelemetryNames.StepActivity);
        activity?.SetTag(RecoveryTelemetryNames.WorkflowTag, _workflowName);
        activity?.SetTag(RecoveryTelemetryNames.StepTag, step.Name);
        RecoveryLog.StepStarted(_logger, step.Name, run.Id, _workflowName);

        var execution = new StepExecution(this, run, step);
        var started = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        RecoveryStepStatus status;
        Exception? error = null;
        try
        {
            await step.Pipeline.ExecuteAsync(
                static (e, ct) => e.Step.Action(new RecoveryStepContext(e.Run, e.Step.Name, ++e.Attempts, e.Runner._logger, e.Runner._time, ct)),
                execution,
                run.CancellationToken).ConfigureAwait(false);
            status = RecoveryStepStatus.Succeeded;
        }
        catch (OperationCanceledException) when (run.CancellationToken.IsCancellationRequested)
        {
            status = RecoveryStepStatus.Cancelled;
        }
#pragma warning disable CA1031 // A step's failure is data: it is recorded, and decides whether the run goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = RecoveryStepStatus.Failed;
            error = ex;
        }

        var duration = _time.GetElapsedTime(timestamp);
        string outcome;
        switch (status)
        {
            case RecoveryStepStatus.Succeeded:
                outcome = "succeeded";
                RecoveryLog.StepSucceeded(_logger, step.Name, run.Id, _workflowName, execution.Attempts, duration.TotalMilliseconds);
                break;
            case RecoveryStepStatus.Cancelled:
                outcome = "cancelled";
                RecoveryLog.StepCancelled(_logger, step.Name, run.Id, _workflowName);
                break;
            default:
                outcome = step.Optional ? "optional_failed" : "failed";
                activity?.SetStatus(ActivityStatusCode.Error, error?.GetType().FullName);
                if (step.Optional)
                {
                    RecoveryLog.OptionalStepFailed(_logger, error, step.Name, run.Id, _workflowName, execution.Attempts);
                }
                else
                {
                    RecoveryLog.StepFailed(_logger, error, step.Name, run.Id, _workflowName, execution.Attempts);
                }

                break;
        }

        activity?.SetTag(RecoveryTelemetryNames.OutcomeTag, outcome);
        if (_instruments.Steps.Enabled)
        {
            _instruments.Steps.Add(
                1,
                new KeyValuePair<string, object?>(RecoveryTelemetryNames.WorkflowTag, _workflowName),
                new KeyValuePair<string, object?>(RecoveryTelemetryNames.StepTag, step.Name),
                new KeyValuePair<string, object?>(RecoveryTelemetryNames.OutcomeTag, outcome));
        }

        return new RecoveryStepRecord(step.Name, step.Optional, status, execution.Attempts, started, duration, error);
    }

    private void Report(Activity? activity, RecoveryRunRecord record, string? failedStep)
    {
        var milliseconds = record.Duration.TotalMilliseconds;
        string outcome;
        switch (record.State)
        {
            case RecoveryRunState.Succeeded:
                outcome = "succeeded";
                RecoveryLog.RunSucceeded(_logger, record.RunId, _workflowName, milliseconds);
                break;
            case RecoveryRunState.Cancelled:
                outcome = "cancelled";
                RecoveryLog.RunCancelled(_logger, record.RunId, _workflowName, milliseconds);
                break;
            default:
                outcome = "failed";
                activity?.SetStatus(ActivityStatusCode.Error, failedStep);
                RecoveryLog.RunFailed(_logger, record.Error, record.RunId, _workflowName, failedStep, milliseconds);
                break;
        }

        activity?.SetTag(RecoveryTelemetryNames.OutcomeTag, outcome);
        var tags = new TagList
        {
            { RecoveryTelemetryNames.WorkflowTag, _workflowName },
            { RecoveryTelemetryNames.TriggerTag, RecoveryLog.TriggerNames[(int)record.Trigger] },
            { RecoveryTelemetryNames.OutcomeTag, outcome },
        };
        if (_instruments.Runs.Enabled)
        {
            _instruments.Runs.Add(1, tags);
        }

        if (_instruments.Duration.Enabled)
        {
            _instruments.Duration.Record(milliseconds, tags);
        }
    }

    // The state of one step's attempts; the pipeline's callback is static and counts attempts here.
    private sealed class StepExecution(RecoveryRunner runner, RecoveryRun run, RecoveryStep step)
    {
        public RecoveryRunner Runner { get; } = runner;

        public RecoveryRun Run { get; } = run;

        public RecoveryStep Step { get; } = step;

        public int Attempts { get; set; }
    }
}
