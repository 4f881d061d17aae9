using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Resilience.Recovery;

/// <summary>
/// What a recovery step (or its compensation) gets: the run it belongs to, a token, the trigger, a property bag shared
/// by every step of the run, a logger and the workflow's time source.
/// </summary>
/// <remarks>
/// The property bag is never logged or traced, so a step may keep a credential in it for a later step.
/// </remarks>
public sealed class RecoveryStepContext
{
    internal RecoveryStepContext(RecoveryRun run, string stepName, int attempt, ILogger logger, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Run = run;
        StepName = stepName;
        Attempt = attempt;
        Logger = logger;
        TimeProvider = timeProvider;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the run this step belongs to.</summary>
    public RecoveryRun Run { get; }

    /// <summary>Gets the workflow's name.</summary>
    public string WorkflowName => Run.WorkflowName;

    /// <summary>Gets the step's name.</summary>
    public string StepName { get; }

    /// <summary>Gets the attempt number, from 1 (a compensation gets 1).</summary>
    public int Attempt { get; }

    /// <summary>Gets what started the run.</summary>
    public RecoveryTrigger Trigger => Run.Trigger;

    /// <summary>Gets who or what started the run (an operator, a signal), if it was said.</summary>
    public string? TriggeredBy => Run.TriggeredBy;

    /// <summary>Gets the property bag shared by every step of the run (and their compensations); thread-safe.</summary>
    public ConcurrentDictionary<string, object?> Properties => Run.Properties;

    /// <summary>Gets the workflow's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>Gets the workflow's time source; wait with it (<c>Task.Delay(delay, context.TimeProvider, token)</c>) so tests can drive time.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets the token of this attempt: cancelled when the run is cancelled or the step's timeout elapses. A compensation
    /// gets the compensation manager's token instead (the run's may be cancelled already).
    /// </summary>
    public CancellationToken CancellationToken { get; }
}
