namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What a log replays into and snapshots from: the in-memory state built from its records. The function that
/// replays a record at open is the one the owner applies live once a write is durable, so memory always equals what a
/// reopen reconstructs.
/// </summary>
internal interface ILogStateMachine
{
    /// <summary>Gets the bytes the live state would take as records (compaction runs when the log is much larger).</summary>
    long LiveBytes { get; }

    /// <summary>
    /// Applies a record read back from disk, with its log sequence number (a snapshot's records carry their own).
    /// Throws <see cref="FormatException"/> for a record that makes no sense.
    /// </summary>
    /// <param name="type">The record type.</param>
    /// <param name="sequence">The record's sequence number.</param>
    /// <param name="body">The record's body.</param>
    /// <param name="location">Where the record lies (valid until a compaction moves it: see <see cref="SnapshotWritten"/>).</param>
    void Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body, RecordLocation location);

    /// <summary>
    /// Applies what the log handed over (<see cref="SegmentLog.ApplyHandedOver"/>) under the lock that guards the state.
    /// Only a state that lets its writes be handed over (<c>mayHandOver</c>) is ever asked.
    /// </summary>
    void ApplyHandedOver()
    {
    }

    /// <summary>Forgets everything replayed so far (a snapshot that failed to verify half-way).</summary>
    void Reset();

    /// <summary>
    /// Captures the whole live state for a snapshot. Called by the writer between batches, so the state is exactly
    /// that of every record written so far; it must be copied before returning, since the records are encoded from it
    /// on another thread while writes go on.
    /// </summary>
    /// <returns>The records, encoded lazily from the copy.</returns>
    IEnumerable<EncodedRecord> CaptureSnapshot();

    /// <summary>
    /// Called once the snapshot made from <paramref name="captured"/> is durable under its final name and before any
    /// file it replaces is retired: a state that points into the log's files moves those locations into the snapshot
    /// (each written record's <see cref="EncodedRecord.Offset"/> says where it went).
    /// </summary>
    /// <param name="captured">What <see cref="CaptureSnapshot"/> returned.</param>
    /// <param name="snapshot">The snapshot file.</param>
    void SnapshotWritten(IEnumerable<EncodedRecord> captured, RecordFile snapshot)
    {
    }

    /// <summary>
    /// Gets a value indicating whether the state's snapshots carry an index section (format 3): what memory keeps of each
    /// record, so an open reads that instead of every record.
    /// </summary>
    bool HasSnapshotIndex => false;

    /// <summary>
    /// Gets the index records of a snapshot, once all of <paramref name="captured"/> was written (so each record's
    /// <see cref="EncodedRecord.Offset"/> is set). Only called when <see cref="HasSnapshotIndex"/> is set.
    /// </summary>
    /// <param name="captured">What <see cref="CaptureSnapshot"/> returned.</param>
    /// <returns>The index records, in order.</returns>
    IEnumerable<EncodedRecord> SnapshotIndex(IEnumerable<EncodedRecord> captured) => [];

    /// <summary>Says how many entries the snapshot's index section describes, before its records are applied (to size memory once).</summary>
    /// <param name="entries">The number of entries.</param>
    void SnapshotIndexStarting(long entries)
    {
    }

    /// <summary>
    /// Applies one index record of a snapshot (instead of the records it describes, which stay in the snapshot file).
    /// Throws <see cref="FormatException"/> for a record that makes no sense.
    /// </summary>
    /// <param name="body">The index record's body.</param>
    /// <param name="sequence">The snapshot's sequence number.</param>
    /// <param name="snapshot">The snapshot file the described records lie in.</param>
    /// <returns>How many entries the record described.</returns>
    int ReplaySnapshotIndex(ReadOnlySpan<byte> body, ulong sequence, RecordFile snapshot) => throw new FormatException("This log keeps no snapshot index.");
}
