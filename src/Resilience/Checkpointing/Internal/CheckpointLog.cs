using Microsoft.Extensions.Logging;

namespace Resilience.Checkpointing.Internal;

/// <summary>Checkpointing's log messages, source-generated, with stable event ids (340-359).</summary>
internal static partial class CheckpointLog
{
    public const string Category = "Resilience.Checkpointing";

    [LoggerMessage(EventId = 340, EventName = "CheckpointCorrupted", Level = LogLevel.Warning, Message = "The checkpoint file {Path} of consumer group {ConsumerGroup} is corrupted ({Error}); loaded the previous generation {FallbackGeneration} instead, so the work committed after it will be handled again")]
    public static partial void Corrupted(ILogger logger, string path, string consumerGroup, string error, long fallbackGeneration);

    [LoggerMessage(EventId = 341, EventName = "CheckpointAutoCommitFailed", Level = LogLevel.Warning, Message = "The automatic commit of consumer group {ConsumerGroup} failed; the next one retries")]
    public static partial void AutoCommitFailed(ILogger logger, Exception exception, string consumerGroup);
}
