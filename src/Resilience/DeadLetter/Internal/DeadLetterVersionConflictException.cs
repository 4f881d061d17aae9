namespace Resilience.DeadLetter.Internal;

/// <summary>An action conditional on the version an operator read found the entry at another version.</summary>
internal sealed class DeadLetterVersionConflictException(string id, long actual, long expected)
    : InvalidOperationException($"Dead letter '{id}' is at version {actual}, not {expected}: it changed since it was read.")
{
    public long ActualVersion { get; } = actual;
}
