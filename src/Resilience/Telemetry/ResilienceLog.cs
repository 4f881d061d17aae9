using Microsoft.Extensions.Logging;

namespace Resilience.Telemetry;

/// <summary>
/// The library's log messages, source-generated (no allocation when the level is disabled), with stable event ids.
/// </summary>
internal static partial class ResilienceLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Resilience event {EventName} (pipeline {PipelineName}, strategy {StrategyName})")]
    public static partial void StrategyEvent(ILogger logger, string eventName, string? pipelineName, string strategyName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The {CallbackName} callback threw (pipeline {PipelineName}, strategy {StrategyName}); the caller's outcome is unchanged")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string callbackName, string? pipelineName, string strategyName);

    [LoggerMessage(EventId = 3, EventName = "Retrying", Level = LogLevel.Warning, Message = "Retry {AttemptNumber} of pipeline {PipelineName} (strategy {StrategyName}) in {DelayMs} ms after {ErrorType}")]
    public static partial void Retrying(ILogger logger, Exception? exception, string? pipelineName, string strategyName, int attemptNumber, double delayMs, string? errorType);
}
