namespace Resilience.Checkpointing;

/// <summary>
/// The stable names of checkpoint telemetry. Instruments belong to the library's meter
/// (<see cref="Telemetry.ResilienceTelemetryNames.Meter"/>).
/// </summary>
public static class CheckpointTelemetryNames
{
    /// <summary>A gauge of each partition's lag (<c>{item}</c>): the latest offset seen minus the committed one, tagged with consumer_group, stream and partition.</summary>
    public const string Lag = "resilience.checkpoint.lag";

    /// <summary>A histogram of commit durations in milliseconds (writing the snapshot durably), tagged with consumer_group and outcome.</summary>
    public const string CommitDuration = "resilience.checkpoint.commit.duration";

    /// <summary>The tag holding a consumer group's name.</summary>
    public const string ConsumerGroupTag = "consumer_group";

    /// <summary>The tag holding a stream's name.</summary>
    public const string StreamTag = "stream";

    /// <summary>The tag holding a partition number.</summary>
    public const string PartitionTag = "partition";
}
