namespace Resilience.Recovery;

/// <summary>
/// The stable names of recovery telemetry. Instruments belong to the library's meter
/// (<see cref="Telemetry.ResilienceTelemetryNames.Meter"/>) and activities to its activity source.
/// </summary>
public static class RecoveryTelemetryNames
{
    /// <summary>A counter of finished runs (<c>{run}</c>), tagged with workflow, trigger and outcome.</summary>
    public const string Runs = "resilience.recovery.runs";

    /// <summary>A histogram of run durations in milliseconds, tagged with workflow, trigger and outcome.</summary>
    public const string RunDuration = "resilience.recovery.run.duration";

    /// <summary>An up-down counter of runs in progress (0 or 1 per workflow), tagged with workflow.</summary>
    public const string RunsInProgress = "resilience.recovery.runs.in_progress";

    /// <summary>A counter of finished steps (<c>{step}</c>), tagged with workflow, step and outcome.</summary>
    public const string Steps = "resilience.recovery.steps";

    /// <summary>The name of the activity of a run; each step is a child activity named <see cref="StepActivity"/>.</summary>
    public const string RunActivity = "resilience.recovery.run";

    /// <summary>The name of the activity of a step.</summary>
    public const string StepActivity = "resilience.recovery.step";

    /// <summary>The tag holding a workflow's name.</summary>
    public const string WorkflowTag = "workflow";

    /// <summary>The tag holding a step's name.</summary>
    public const string StepTag = "step";

    /// <summary>The tag holding a trigger kind (<c>Automatic</c>, <c>Manual</c>, <c>Scheduled</c>, <c>Emergency</c>).</summary>
    public const string TriggerTag = "trigger";

    /// <summary>The tag holding a run's id (activities only: it is unbounded).</summary>
    public const string RunIdTag = "recovery.run_id";

    /// <summary>The tag holding an outcome: <c>succeeded</c>, <c>failed</c> or <c>cancelled</c> (a step also <c>optional_failed</c>).</summary>
    public const string OutcomeTag = "outcome";
}
