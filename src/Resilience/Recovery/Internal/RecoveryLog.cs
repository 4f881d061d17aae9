using Microsoft.Extensions.Logging;

namespace Resilience.Recovery.Internal;

/// <summary>
/// Recovery's log messages, source-generated, with stable event ids (300-319). Step properties are never logged.
/// The parameters are BCL types only: the generated half of this class is compiled from obj/, where the architecture
/// test cannot tell which folder it belongs to.
/// </summary>
internal static partial class RecoveryLog
{
    public const string Category = "Resilience.Recovery";

    /// <summary>The trigger kinds' names by value, so logs and tags do not format the enum each time.</summary>
    public static readonly string[] TriggerNames = ["Automatic", "Manual", "Scheduled", "Emergency"];

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Recovery run {RunId} of workflow {WorkflowName} started ({Trigger}, by {TriggeredBy})")]
    public static partial void RunStarted(ILogger logger, string runId, string workflowName, string trigger, string? triggeredBy);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Recovery run {RunId} of workflow {WorkflowName} succeeded in {DurationMs} ms")]
    public static partial void RunSucceeded(ILogger logger, string runId, string workflowName, double durationMs);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Recovery run {RunId} of workflow {WorkflowName} failed at step {StepName} after {DurationMs} ms")]
    public static partial void RunFailed(ILogger logger, Exception? exception, string runId, string workflowName, string? stepName, double durationMs);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Recovery run {RunId} of workflow {WorkflowName} was cancelled after {DurationMs} ms")]
    public static partial void RunCancelled(ILogger logger, string runId, string workflowName, double durationMs);

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "Recovery step {StepName} of run {RunId} ({WorkflowName}) started")]
    public static partial void StepStarted(ILogger logger, string stepName, string runId, string workflowName);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Recovery step {StepName} of run {RunId} ({WorkflowName}) succeeded after {Attempts} attempt(s) in {DurationMs} ms")]
    public static partial void StepSucceeded(ILogger logger, string stepName, string runId, string workflowName, int attempts, double durationMs);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Recovery step {StepName} of run {RunId} ({WorkflowName}) failed after {Attempts} attempt(s)")]
    public static partial void StepFailed(ILogger logger, Exception? exception, string stepName, string runId, string workflowName, int attempts);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Optional recovery step {StepName} of run {RunId} ({WorkflowName}) failed after {Attempts} attempt(s); the run goes on")]
    public static partial void OptionalStepFailed(ILogger logger, Exception? exception, string stepName, string runId, string workflowName, int attempts);

    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "Recovery step {StepName} of run {RunId} ({WorkflowName}) was cancelled")]
    public static partial void StepCancelled(ILogger logger, string stepName, string runId, string workflowName);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "The compensation of recovery step {StepName} of run {RunId} ({WorkflowName}) failed")]
    public static partial void CompensationFailed(ILogger logger, Exception? exception, string stepName, string runId, string workflowName);

    [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "Recovery workflow {WorkflowName} was triggered ({Trigger}, by {TriggeredBy}) while run {RunId} is in progress; no second run started")]
    public static partial void AlreadyRunning(ILogger logger, string workflowName, string trigger, string? triggeredBy, string runId);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Automatic recovery of workflow {WorkflowName} deferred until {NotBefore}: {Reason}")]
    public static partial void Deferred(ILogger logger, string workflowName, DateTimeOffset? notBefore, string? reason);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "Recovery signal {SignalName} is unhealthy ({Description}); triggering workflow {WorkflowName}")]
    public static partial void SignalUnhealthy(ILogger logger, string signalName, string? description, string workflowName);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Recovery signal {SignalName} could not be checked; it is skipped this time")]
    public static partial void SignalCheckFailed(ILogger logger, Exception exception, string signalName);

    [LoggerMessage(EventId = 314, Level = LogLevel.Error, Message = "Run {RunId} of recovery workflow {WorkflowName} could not be written to the persisted history; it is kept in memory only")]
    public static partial void HistoryNotPersisted(ILogger logger, Exception exception, string workflowName, string runId);
}
