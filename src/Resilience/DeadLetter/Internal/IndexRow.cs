namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What the index keeps of one entry, as a 96-byte struct in a page of rows (no object, no string): the id packed
/// into 16 bytes (see <see cref="EntryKey"/>), times and versions as ticks, the operation type and failure group as
/// numbers in the store's intern tables, and the Put record's location as a file number and offset. What only some
/// entries have (an id that does not pack, a separate error record, replays) lives in <see cref="SlotExtras"/>.
/// </summary>
internal struct IndexRow
{
    private const int FileShift = 44;
    private const long OffsetMask = (1L << FileShift) - 1;
    private const int LengthBits = 27; // records are at most LogFormat.MaxRecordLength (2^26) bytes
    private const int LengthMask = (1 << LengthBits) - 1;
    private const int KindShift = LengthBits;
    private const int ExtrasBit = 1 << (LengthBits + 2);

    // Declared widest first: the layout is sequential, and a field out of this order would pad the row to 104 bytes.
    public ulong KeyHigh;
    public ulong KeyLow;
    public long CreatedTicks;
    public long UpdatedTicks;
    public long NextAttemptTicks;
    public long Version;
    public long FirstFailedTicks;
    public long LastFailedTicks;
    private ulong _put; // file number << 44 | offset
    private int _lengthAndBits; // Put length, id kind, extras flag
    public int PayloadLength;
    public int AttemptCount;
    public int MaxAttempts;

    /// <summary>The failure group's number in the intern table plus one; 0 for none.</summary>
    public int Group;

    public ushort OperationType;
    public byte Status;
    public byte Reason;

    /// <summary>Gets a value indicating whether the slot holds an entry (a free slot is all zeros).</summary>
    public readonly bool InUse => _lengthAndBits != 0;

    public readonly EntryKeyKind Kind => (EntryKeyKind)((_lengthAndBits >> KindShift) & 3);

    public readonly bool HasExtras => (_lengthAndBits & ExtrasBit) != 0;

    public readonly int PutFile => (int)(_put >> FileShift);

    public readonly long PutOffset => (long)(_put & OffsetMask);

    public readonly int PutLength => _lengthAndBits & LengthMask;

    public void SetPut(int file, long offset, int length, EntryKeyKind kind, bool hasExtras)
    {
        if ((uint)file >= 1u << (64 - FileShift) || (ulong)offset > OffsetMask || (uint)length > LengthMask || length == 0)
        {
            throw new InvalidOperationException("A record location does not fit the dead letter index.");
        }

        _put = ((ulong)file << FileShift) | (ulong)offset;
        _lengthAndBits = length | ((int)kind << KindShift) | (hasExtras ? ExtrasBit : 0);
    }

    public readonly bool SameKey(EntryKeyKind kind, ulong high, ulong low) => KeyHigh == high && KeyLow == low && Kind == kind && InUse;
}

/// <summary>What only some entries carry, beside their row: immutable (a change replaces it), so a page copy shares it.</summary>
/// <param name="ForeignId">The id when it does not pack into the row (see <see cref="EntryKey"/>).</param>
/// <param name="OperationType">The operation type when the intern table is full (65,535 live types), else <see langword="null"/>.</param>
/// <param name="HasError">Whether the latest error lies in a record other than the Put (a State record).</param>
/// <param name="ErrorFile">That record's file number.</param>
/// <param name="ErrorOffset">That record's offset.</param>
/// <param name="ErrorLength">That record's size.</param>
/// <param name="ReplayCount">The entry's replay count.</param>
/// <param name="LastReplayedTicks">The last replay, or <see cref="IndexedEntry.NoTime"/>.</param>
internal sealed record SlotExtras(
    string? ForeignId,
    string? OperationType,
    bool HasError,
    int ErrorFile,
    long ErrorOffset,
    int ErrorLength,
    int ReplayCount,
    long LastReplayedTicks);

/// <summary>
/// A page of 1,024 rows (96 KiB: allocated on the large object heap, so a million-entry index is never copied through
/// the GC generations) and, only if one of them needs it, their extras. Pages are
/// copied on write once a view has frozen them, so a view (a compaction's capture, a scan) reads a fixed state while
/// writes go on, at the cost of one page copy per page written, not a copy of the index.
/// </summary>
internal sealed class IndexPage
{
    public const int Shift = 10;
    public const int Size = 1 << Shift;
    public const int Mask = Size - 1;

    public IndexRow[] Rows { get; private init; } = new IndexRow[Size];

    public SlotExtras?[]? Extras { get; set; }

    /// <summary>Gets the epoch the page was made in: one made before the latest freeze is shared with a view.</summary>
    public int Epoch { get; init; }

    public IndexPage Clone(int epoch) => new()
    {
        Rows = (IndexRow[])Rows.Clone(),
        Extras = (SlotExtras?[]?)Extras?.Clone(),
        Epoch = epoch,
    };
}
