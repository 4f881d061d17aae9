using System.Text.Json.Serialization;

namespace Resilience.Samples.StreamConsumer;

/// <summary>An event as producers write it: one JSON object per line of a partition file.</summary>
public sealed class StreamEvent
{
    public string? Id { get; set; }

    public decimal? Amount { get; set; }

    public string? Note { get; set; }
}

/// <summary>A line read from a partition, with where it was read: what the dead letter queue keeps of an event.</summary>
public sealed record RawEvent(int Partition, long Offset, string Line)
{
    public string Key => $"{Partition}@{Offset}";
}

[JsonSerializable(typeof(StreamEvent))]
[JsonSerializable(typeof(RawEvent))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class EventJsonContext : JsonSerializerContext
{
}
