using Microsoft.Extensions.Logging;

namespace Resilience.DeadLetter;

/// <summary>
/// The dead letter queue's log messages (category <c>Resilience.DeadLetter</c>), source-generated with stable event
/// ids in a block of their own (20–39; pipelines use 1–3, configuration 10–19) and structured fields.
/// </summary>
internal static partial class DeadLetterLog
{
    public const string Category = "Resilience.DeadLetter";

    [LoggerMessage(EventId = 20, EventName = "DeadLetterEnqueued", Level = LogLevel.Information, Message = "Dead letter {EntryId} of operation type {OperationType} enqueued in queue {QueueName} ({ErrorType}); up to {MaxAttempts} attempts")]
    public static partial void Enqueued(ILogger logger, string entryId, string operationType, string queueName, string errorType, int maxAttempts);

    [LoggerMessage(EventId = 21, EventName = "DeadLetterAttemptStarted", Level = LogLevel.Debug, Message = "Dead letter {EntryId} of operation type {OperationType}: attempt {AttemptNumber} of {MaxAttempts} started (queue {QueueName})")]
    public static partial void AttemptStarted(ILogger logger, string entryId, string operationType, int attemptNumber, int maxAttempts, string queueName);

    [LoggerMessage(EventId = 22, EventName = "DeadLetterAttemptFailed", Level = LogLevel.Warning, Message = "Dead letter {EntryId} of operation type {OperationType}: attempt {AttemptNumber} of {MaxAttempts} failed; next attempt at {NextAttemptAt} (queue {QueueName})")]
    public static partial void AttemptFailed(ILogger logger, Exception exception, string entryId, string operationType, int attemptNumber, int maxAttempts, DateTimeOffset? nextAttemptAt, string queueName);

    [LoggerMessage(EventId = 23, EventName = "DeadLetterRecovered", Level = LogLevel.Information, Message = "Dead letter {EntryId} of operation type {OperationType} recovered on attempt {AttemptNumber} (queue {QueueName})")]
    public static partial void Recovered(ILogger logger, string entryId, string operationType, int attemptNumber, string queueName);

    [LoggerMessage(EventId = 24, EventName = "DeadLetterExhausted", Level = LogLevel.Error, Message = "Dead letter {EntryId} of operation type {OperationType} exhausted after attempt {AttemptNumber}: {Reason} (queue {QueueName})")]
    public static partial void Exhausted(ILogger logger, Exception? exception, string entryId, string operationType, int attemptNumber, string reason, string queueName);

    [LoggerMessage(EventId = 25, EventName = "DeadLetterOperationTypePaused", Level = LogLevel.Warning, Message = "Operation type {OperationType} paused until {PausedUntil} after {ConsecutiveFailures} consecutive failed attempts (queue {QueueName})")]
    public static partial void OperationTypePaused(ILogger logger, string operationType, DateTimeOffset pausedUntil, int consecutiveFailures, string queueName);

    [LoggerMessage(EventId = 27, EventName = "DeadLetterOperationTypePauseRequested", Level = LogLevel.Warning, Message = "Operation type {OperationType} paused until {PausedUntil} on request (queue {QueueName})")]
    public static partial void OperationTypePauseRequested(ILogger logger, string operationType, DateTimeOffset pausedUntil, string queueName);

    [LoggerMessage(EventId = 28, EventName = "DeadLetterOperationTypeResumed", Level = LogLevel.Information, Message = "Operation type {OperationType} resumed on request (queue {QueueName})")]
    public static partial void OperationTypeResumed(ILogger logger, string operationType, string queueName);

    [LoggerMessage(EventId = 29, EventName = "DeadLetterEntryUnreadable", Level = LogLevel.Error, Message = "Dead letter {EntryId} cannot be read: its record is damaged; the processor leaves it as it is and goes on with the others (queue {QueueName}). Delete it by id (Store.DeleteAsync) or purge it by operation type or status")]
    public static partial void EntryUnreadable(ILogger logger, Exception exception, string entryId, string queueName);

    [LoggerMessage(EventId = 30, EventName = "DeadLetterEntryUnreadableInListing", Level = LogLevel.Error, Message = "Dead letter {EntryId} cannot be read: its record is damaged; a page, summary or filter leaves it out and goes on with the others (queue {QueueName}). Delete it by id (Store.DeleteAsync)")]
    public static partial void EntryUnreadableInListing(ILogger logger, Exception exception, string entryId, string queueName);

    [LoggerMessage(EventId = 26, EventName = "DeadLetterNoHandler", Level = LogLevel.Warning, Message = "No handler is registered for operation type {OperationType} (queue {QueueName}): its dead letters stay pending until one is registered with RegisterHandler")]
    public static partial void NoHandler(ILogger logger, string operationType, string queueName);
}
