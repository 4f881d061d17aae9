using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.AspNetCore.Internal;

// The JSON shapes of the operator endpoints: plain records, so the wire format is what these files say, independent of
// the library's own types (which may gain members), and serialized by the source-generated AdminJsonContext.

internal sealed record StatusDto(
    DateTimeOffset GeneratedAt,
    IReadOnlyDictionary<string, int> BreakersByState,
    int Bulkheads,
    int RateLimiters,
    DeadLetterStatisticsDto? DeadLetters,
    long? CompensationsPending,
    int RecoveryWorkflows,
    int RecoveryRunsInProgress);

internal sealed record BreakerDto(string Name, string State, double? SecondsUntilHalfOpen, string? LastFailureType, string? LastFailureMessage);

internal sealed record BulkheadDto(string Name, int InUse, int Queued, int Available, int MaxConcurrency);

internal sealed record RateLimiterDto(string Name, long? AvailablePermits, long? Queued, long? Succeeded, long? Rejected);

internal sealed record DeadLetterStatisticsDto(int Total, int Pending, int Exhausted, int Recovered, int Discarded, int Archived, long SizeBytes, double? OldestPendingAgeSeconds);

internal sealed record DeadLetterGroupDto(string Key, int Count, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt, string ErrorType, string LatestMessage, string OperationType);

internal sealed record DeadLetterSummaryDto(string GroupBy, IReadOnlyList<DeadLetterGroupDto> Groups, DeadLetterStatisticsDto Statistics);

internal sealed record DeadLetterErrorDto(string Type, string Message, string? StackTrace, string Reason);

internal sealed record DeadLetterEntryDto(
    string Id,
    string OperationType,
    string Status,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int AttemptCount,
    int MaxAttempts,
    DateTimeOffset? NextAttemptAt,
    string FailureGroup,
    DateTimeOffset? FirstFailedAt,
    DateTimeOffset? LastFailedAt,
    int ReplayCount,
    DateTimeOffset? LastReplayedAt,
    DeadLetterErrorDto Error,
    IReadOnlyDictionary<string, string> Context,
    int PayloadBytes,
    string? Payload,
    bool PayloadHidden);

internal sealed record DeadLetterPageDto(IReadOnlyList<DeadLetterEntryDto> Entries, int TotalMatches, int Skip, int Take, IReadOnlyList<string> DamagedIds);

internal sealed record BulkResultDto(string Action, bool DryRun, int Count);

internal sealed record ParkedCompensationDto(string EntryId, string? OperationId, string Status, DateTimeOffset ParkedAt, string Error);

internal sealed record CompensationsDto(long Registered, long Executed, long Succeeded, long Failed, long Pending, IReadOnlyList<ParkedCompensationDto> Parked);

internal sealed record CompensationResumeDto(string OperationId, bool Succeeded, int StepsRun, string? ParkedEntryId, IReadOnlyList<int> LostSteps);

internal sealed record RecoveryWorkflowDto(string Name, string? FailureKind, IReadOnlyList<string> Steps, string State, string? CurrentRunId, string? CurrentStep, RecoveryStatisticsDto Statistics);

internal sealed record RecoveryTriggerDto(string Status, string? RunId, DateTimeOffset? NotBefore, string? Reason);

internal sealed record RecoveryStepDto(string Name, string Status, int Attempts, double DurationMs, string? Error);

internal sealed record RecoveryRunDto(string RunId, string Trigger, string? TriggeredBy, DateTimeOffset StartedAt, DateTimeOffset EndedAt, double DurationMs, string State, IReadOnlyList<RecoveryStepDto> Steps, string? Error);

internal sealed record RecoveryStatisticsDto(string Workflow, int Runs, int Succeeded, int Failed, int Cancelled, double SuccessRate, double MeanDurationMs, double P95DurationMs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusDto))]
[JsonSerializable(typeof(BreakerDto))]
[JsonSerializable(typeof(IReadOnlyList<BreakerDto>))]
[JsonSerializable(typeof(IReadOnlyList<BulkheadDto>))]
[JsonSerializable(typeof(IReadOnlyList<RateLimiterDto>))]
[JsonSerializable(typeof(DeadLetterSummaryDto))]
[JsonSerializable(typeof(DeadLetterEntryDto))]
[JsonSerializable(typeof(DeadLetterPageDto))]
[JsonSerializable(typeof(BulkResultDto))]
[JsonSerializable(typeof(CompensationsDto))]
[JsonSerializable(typeof(CompensationResumeDto))]
[JsonSerializable(typeof(IReadOnlyList<RecoveryWorkflowDto>))]
[JsonSerializable(typeof(RecoveryWorkflowDto))]
[JsonSerializable(typeof(RecoveryTriggerDto))]
[JsonSerializable(typeof(IReadOnlyList<RecoveryRunDto>))]
[JsonSerializable(typeof(RecoveryStatisticsDto))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
}
