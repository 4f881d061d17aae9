using System.Text.Json.Serialization;

namespace Resilience.Compensation.Internal;

/// <summary>The payload of a parked rollback's dead letter entry.</summary>
/// <param name="OperationId">The operation.</param>
/// <param name="FromStep">The step the resume starts with.</param>
/// <param name="Journaled">Whether the operation is in the journal (so a restart can rebuild its named steps).</param>
/// <param name="LostSteps">Steps whose compensation was lost with a process (delegates): someone must undo them by hand.</param>
internal sealed record ParkedRollbackPayload(string OperationId, int FromStep, bool Journaled, IReadOnlyList<int>? LostSteps);

/// <summary>Source-generated (trim- and AOT-safe) JSON for <see cref="ParkedRollbackPayload"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ParkedRollbackPayload))]
internal sealed partial class ParkedRollbackJsonContext : JsonSerializerContext
{
}
