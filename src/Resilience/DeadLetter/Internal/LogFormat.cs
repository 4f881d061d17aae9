using System.Buffers.Binary;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The on-disk layout shared by segments and snapshots, format version 2 (version 1 files are still read).
/// </summary>
/// <remarks>
/// <code>
/// header (64 B): magic "RLOGSEG2" | "RLOGSNP2" | u32 version | u32 crc32c(header with this field zeroed)
///                | u64 sequence (a segment's first, a snapshot's last covered) | u64 capacity (a segment's preallocated
///                length) | u32 max record length | zero to 64
/// record (8-byte aligned): u32 len | u32 masked crc32c(type..body) | u8 type | u8 flags | u16 reserved | u64 seq | body | zero pad
///   len counts type..body (12 + body length); a len of 0 marks the end of data; len never exceeds MaxRecordLength.
/// batch: the records of one group commit (sequences +1 each), then a BatchCommit record whose seq is the batch's last:
///   u64 first seq | u32 bytes of the batch's records | u32 crc32c of those bytes | u64 durable-through seq | u32 count | u32 0
/// segment end: a SegmentEnd record (seq = next first - 1): u64 next segment's first seq | u64 durable-through seq
/// snapshot: header, Put records numbered 1..n, then a SnapshotEnd record holding n.
/// snapshot, version 3 (magic "RLOGSNP3"; a state machine with an index): the same, then SnapshotIndex records
///   numbered n+2.. (see <see cref="SnapshotIndexCodec"/>), then, last in the file, a SnapshotIndexEnd record:
///   u64 offset of the first index record | u64 number of index records | u64 n (entries)
/// </code>
/// A segment's file length is set to its capacity when it is created (and made durable before any record), so a crash
/// never shortens it: a shorter file was cut by something else. Version 1 (32-byte header, no batches, no capacity)
/// is read so stores written by 1.0 open; every new file is version 2.
/// </remarks>
internal static class LogFormat
{
    /// <summary>The largest record length (type, flags, sequence and body) the format allows; a longer len is corruption.</summary>
    public const int MaxRecordLength = 64 * 1024 * 1024;

    /// <summary>The largest body of a record.</summary>
    public const int MaxBodyLength = MaxRecordLength - RecordPrefixSize;

    public const int HeaderSize = 64;
    public const int RecordHeaderSize = 8;
    public const int RecordPrefixSize = 12;
    public const uint Version = 2;

    /// <summary>The version of a snapshot that carries an index section (segments stay at <see cref="Version"/>).</summary>
    public const uint IndexedSnapshotVersion = 3;

    public const int SnapshotIndexEndBodySize = 24;
    public const int CommitBodySize = 32;
    public const int SegmentEndBodySize = 16;

    private const int LegacyHeaderSize = 32;
    private const int LegacyMaxRecordLength = (256 * 1024 * 1024) + (64 * 1024);

    /// <summary>Gets the bytes a batch's commit record takes.</summary>
    public static int CommitSize => RecordSize(CommitBodySize);

    /// <summary>Gets the bytes a segment end record takes; every segment keeps room for one.</summary>
    public static int SegmentEndSize => RecordSize(SegmentEndBodySize);

    public static ReadOnlySpan<byte> SegmentMagic => "RLOGSEG2"u8;

    public static ReadOnlySpan<byte> SnapshotMagic => "RLOGSNP2"u8;

    public static ReadOnlySpan<byte> IndexedSnapshotMagic => "RLOGSNP3"u8;

    /// <summary>Gets the bytes the record that ends an indexed snapshot takes.</summary>
    public static int SnapshotIndexEndSize => RecordSize(SnapshotIndexEndBodySize);

    private static ReadOnlySpan<byte> LegacySegmentMagic => "RLOGSEG1"u8;

    private static ReadOnlySpan<byte> LegacySnapshotMagic => "RLOGSNP1"u8;

    public static int Align8(int length) => (length + 7) & ~7;

    public static int RecordSize(int bodyLength) => Align8(RecordHeaderSize + RecordPrefixSize + bodyLength);

    public static void WriteHeader(Span<byte> destination, bool snapshot, ulong sequence, long capacity, bool indexed = false)
    {
        destination[..HeaderSize].Clear();
        (indexed ? IndexedSnapshotMagic : snapshot ? SnapshotMagic : SegmentMagic).CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], indexed ? IndexedSnapshotVersion : Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], capacity);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], MaxRecordLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], HeaderCrc(destination[..HeaderSize]));
    }

    /// <summary>Reads a version 3 (indexed snapshot), 2 or 1 header; <see langword="false"/> when it does not verify.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, bool snapshot, out LogHeader header)
    {
        header = default;
        var indexed = snapshot && source.Length >= HeaderSize && source[..8].SequenceEqual(IndexedSnapshotMagic);
        var version = indexed ? IndexedSnapshotVersion : Version;
        if (source.Length >= HeaderSize && (indexed || source[..8].SequenceEqual(snapshot ? SnapshotMagic : SegmentMagic))
            && BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) == version
            && BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) == HeaderCrc(source[..HeaderSize]))
        {
            var capacity = BinaryPrimitives.ReadInt64LittleEndian(source[24..]);
            var maxRecord = BinaryPrimitives.ReadUInt32LittleEndian(source[32..]);
            if (capacity < 0 || maxRecord != MaxRecordLength)
            {
                return false;
            }

            header = new LogHeader(version, HeaderSize, BinaryPrimitives.ReadUInt64LittleEndian(source[16..]), capacity, MaxRecordLength);
            return true;
        }

        if (source.Length >= LegacyHeaderSize && source[..8].SequenceEqual(snapshot ? LegacySnapshotMagic : LegacySegmentMagic)
            && BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) == 1
            && BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) == HeaderCrc(source[..LegacyHeaderSize]))
        {
            header = new LogHeader(1, LegacyHeaderSize, BinaryPrimitives.ReadUInt64LittleEndian(source[16..]), 0, LegacyMaxRecordLength);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Completes a record whose body is already in place: writes len, type, sequence, the checksum and the padding.
    /// </summary>
    public static void SealRecord(Span<byte> record, RecordType type, ulong sequence, int bodyLength)
    {
        var length = RecordPrefixSize + bodyLength;
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)length);
        record[8] = (byte)type;
        record[9] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(record[12..], sequence);
        record[(RecordHeaderSize + length)..RecordSize(bodyLength)].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C.Mask(Crc32C.Compute(record.Slice(RecordHeaderSize, length))));
    }

    /// <summary>Writes a batch's commit record at the start of <paramref name="destination"/>.</summary>
    public static void WriteCommit(Span<byte> destination, ulong firstSequence, ulong lastSequence, int batchBytes, uint batchCrc, ulong durableThrough, int count)
    {
        var body = destination.Slice(RecordHeaderSize + RecordPrefixSize, CommitBodySize);
        BinaryPrimitives.WriteUInt64LittleEndian(body, firstSequence);
        BinaryPrimitives.WriteInt32LittleEndian(body[8..], batchBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], batchCrc);
        BinaryPrimitives.WriteUInt64LittleEndian(body[16..], durableThrough);
        BinaryPrimitives.WriteInt32LittleEndian(body[24..], count);
        BinaryPrimitives.WriteInt32LittleEndian(body[28..], 0);
        SealRecord(destination, RecordType.BatchCommit, lastSequence, CommitBodySize);
    }

    public static BatchCommit ReadCommit(ReadOnlySpan<byte> body) => body.Length != CommitBodySize
        ? throw new FormatException("A batch commit record has the wrong size.")
        : new BatchCommit(
            BinaryPrimitives.ReadUInt64LittleEndian(body),
            BinaryPrimitives.ReadInt32LittleEndian(body[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(body[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(body[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(body[24..]));

    /// <summary>Writes a segment end record at the start of <paramref name="destination"/>.</summary>
    public static void WriteSegmentEnd(Span<byte> destination, ulong nextFirstSequence)
    {
        var body = destination.Slice(RecordHeaderSize + RecordPrefixSize, SegmentEndBodySize);
        BinaryPrimitives.WriteUInt64LittleEndian(body, nextFirstSequence);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], nextFirstSequence - 1);
        SealRecord(destination, RecordType.SegmentEnd, nextFirstSequence - 1, SegmentEndBodySize);
    }

    public static ulong ReadSegmentEnd(ReadOnlySpan<byte> body) => body.Length != SegmentEndBodySize
        ? throw new FormatException("A segment end record has the wrong size.")
        : BinaryPrimitives.ReadUInt64LittleEndian(body);

    /// <summary>
    /// Checks the record at the start of <paramref name="source"/>: bounds and checksum. The sequence is checked by the caller.
    /// </summary>
    public static RecordCheck CheckRecord(ReadOnlySpan<byte> source, int maxRecordLength, out RecordType type, out ulong sequence, out ReadOnlySpan<byte> body, out int size)
    {
        type = default;
        sequence = 0;
        body = default;
        size = 0;
        if (source.Length < RecordHeaderSize + RecordPrefixSize)
        {
            return source.IsEmpty || !source.ContainsAnyExcept((byte)0) ? RecordCheck.EndOfData : RecordCheck.Truncated;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (length == 0)
        {
            return RecordCheck.EndOfData;
        }

        if (length < RecordPrefixSize || length > (uint)maxRecordLength)
        {
            return RecordCheck.BadLength;
        }

        if (RecordHeaderSize + length > source.Length)
        {
            return RecordCheck.Truncated;
        }

        var content = source.Slice(RecordHeaderSize, (int)length);
        if (Crc32C.Mask(Crc32C.Compute(content)) != BinaryPrimitives.ReadUInt32LittleEndian(source[4..]))
        {
            return RecordCheck.BadChecksum;
        }

        type = (RecordType)content[0];
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(content[4..]);
        body = content[RecordPrefixSize..];
        size = Math.Min(Align8(RecordHeaderSize + (int)length), source.Length);
        return RecordCheck.Valid;
    }

    private static uint HeaderCrc(ReadOnlySpan<byte> header)
    {
        Span<byte> copy = stackalloc byte[header.Length];
        header.CopyTo(copy);
        copy[12..16].Clear();
        return Crc32C.Compute(copy);
    }
}

/// <summary>A verified file header.</summary>
internal readonly record struct LogHeader(uint Version, int Size, ulong Sequence, long Capacity, int MaxRecordLength);

/// <summary>The body of a batch commit record.</summary>
internal readonly record struct BatchCommit(ulong FirstSequence, int Bytes, uint Crc, ulong DurableThrough, int Count);

/// <summary>The kinds of record in a log.</summary>
internal enum RecordType : byte
{
    Put = 1,
    State = 2,
    Delete = 3,
    SnapshotEnd = 4,
    BatchCommit = 5,
    SegmentEnd = 6,
    SnapshotIndex = 7,
    SnapshotIndexEnd = 8,
    CompensationRegister = 10,
    CompensationComplete = 11,
    CompensationStepDone = 12,
    CompensationCompensated = 13,
    CompensationClaim = 14,
    CompensationRelease = 15,
    CompensationParked = 16,
    CompensationDelegateStep = 17,
    RecoveryRun = 20,
}

/// <summary>The verdict on one record read from disk.</summary>
internal enum RecordCheck
{
    Valid,
    EndOfData,
    Truncated,
    BadLength,
    BadChecksum,
}
