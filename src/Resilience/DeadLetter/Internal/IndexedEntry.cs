namespace Resilience.DeadLetter.Internal;

/// <summary>Where one record lies: the file, the offset of the record's first byte and its (aligned) size.</summary>
internal readonly record struct RecordLocation(RecordFile File, long Offset, int Length);

/// <summary>
/// What a <see cref="FileDeadLetterStore"/> keeps in memory for one entry: the fields the processor, the queries and
/// the statistics read, and where the rest lies on disk. The payload, the context and the error (message and stack
/// trace) are read from the records on demand. Immutable: a change replaces the object, so a copy of the index is
/// a copy of references. The failure fields (group, reason, first and last failure, replays) are kept too, so failure
/// summaries and the group filter read no record.
/// </summary>
/// <remarks>
/// Design (issue 17): reads materialise the whole entry from its records at once (payload copied out of the record,
/// checksum verified) rather than handing out a lazy <see cref="System.Buffers.MemoryManager{T}"/> that reads later.
/// A materialised entry depends on no file, so it stays valid across compactions, disposal and damage found later;
/// a lazy buffer would need a file kept alive for as long as any caller holds an entry, with no point at which that
/// ends. Locations are only in memory (every open rebuilds them), so they add nothing a crash can break: compaction
/// moves them into the snapshot after it is durable and before the files it covers are retired (see
/// <see cref="RecordFile"/> for why a read in flight is safe meanwhile).
/// </remarks>
internal sealed record IndexedEntry
{
    /// <summary>Marks an entry with no next attempt.</summary>
    public const long NoTime = long.MinValue;

    public required string Id { get; init; }

    public required string OperationType { get; init; }

    public long CreatedTicks { get; init; }

    public long UpdatedTicks { get; init; }

    public long NextAttemptTicks { get; init; }

    public int AttemptCount { get; init; }

    public int MaxAttempts { get; init; }

    public DeadLetterStatus Status { get; init; }

    public long Version { get; init; }

    public int PayloadLength { get; init; }

    /// <summary>Gets the latest error's reason (summaries group by it without reading the error).</summary>
    public DeadLetterFailureReason Reason { get; init; }

    /// <summary>Gets the failure group, or <see langword="null"/> for an entry stored before failure groups existed.</summary>
    public string? FailureGroup { get; init; }

    public long FirstFailedTicks { get; init; } = NoTime;

    public long LastFailedTicks { get; init; } = NoTime;

    public int ReplayCount { get; init; }

    public long LastReplayedTicks { get; init; } = NoTime;

    /// <summary>Gets the record holding the payload, the context and the operation type (a Put).</summary>
    public RecordLocation Put { get; init; }

    /// <summary>Gets the record holding the latest error: the Put, or the State record of the latest state change.</summary>
    public RecordLocation Error { get; init; }

    /// <summary>Gets the bytes the entry takes as a record (its share of the log's live bytes).</summary>
    public int RecordSize => Put.Length;

    public DateTimeOffset CreatedAt => new(CreatedTicks, TimeSpan.Zero);

    public DateTimeOffset UpdatedAt => new(UpdatedTicks, TimeSpan.Zero);

    public DateTimeOffset? NextAttemptAt => TimeOrNull(NextAttemptTicks);

    public DateTimeOffset? FirstFailedAt => TimeOrNull(FirstFailedTicks);

    public DateTimeOffset? LastFailedAt => TimeOrNull(LastFailedTicks);

    public DateTimeOffset? LastReplayedAt => TimeOrNull(LastReplayedTicks);

    public static long TicksOrNoTime(DateTimeOffset? time) => time?.UtcTicks ?? NoTime;

    private static DateTimeOffset? TimeOrNull(long ticks) => ticks == NoTime ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
