namespace Resilience.Samples.AspNetCore;

/// <summary>The sample's own log lines.</summary>
internal static partial class SampleLog
{
    /// <summary>Says where the queue is, so a reader knows which folder to delete for a fresh start.</summary>
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Dead letters are kept in {Directory}")]
    public static partial void DeadLettersKeptIn(ILogger logger, string directory);
}
