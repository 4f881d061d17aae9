namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What a log replays into and snapshots from: the in-memory state built from its records.
/// </summary>
internal interface ILogStateMachine
{
    /// <summary>Gets the bytes the live state would take as records (compaction runs when the log is much larger).</summary>
    long LiveBytes { get; }

    /// <summary>Applies a record read back from disk. Throws <see cref="FormatException"/> for a record that makes no sense.</summary>
    void Apply(RecordType type, ReadOnlySpan<byte> body);

    /// <summary>Encodes the whole live state as records, for a snapshot.</summary>
    IReadOnlyList<EncodedRecord> CreateSnapshot();
}
