using System.Text.Json.Serialization;

namespace Resilience.Samples.AspNetCore;

/// <summary>A reservation payload, also the dead letter payload of a failed reservation.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Sku">The item.</param>
public sealed record Reservation(string OrderId, string Sku);

/// <summary>What POST /orders answers.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Status">placed, rolled-back or dead-lettered.</param>
/// <param name="Steps">What happened, in order.</param>
public sealed record OrderResult(string OrderId, string Status, IReadOnlyList<string> Steps);

/// <summary>JSON metadata for the sample's payloads.</summary>
[JsonSerializable(typeof(Reservation))]
public sealed partial class SampleJsonContext : JsonSerializerContext
{
}
