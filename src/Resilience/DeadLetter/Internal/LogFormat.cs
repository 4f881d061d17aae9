using System.Buffers.Binary;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The on-disk layout shared by segments and snapshots.
/// </summary>
/// <remarks>
/// <code>
/// segment header (32 B): "RLOGSEG1" | u32 version | u32 crc32c(bytes 0..8, 12..32) | u64 firstSeq | u64 reserved
/// record (8-byte aligned): u32 len | u32 masked crc32c(type..body) | u8 type | u8 flags | u16 reserved | u64 seq | body | zero pad
///   len counts type..body (12 + body length); a len of 0 marks the end of data.
/// snapshot: "RLOGSNP1" header with the log sequence it covers, Put records numbered 1..n, then an End record holding n.
/// </code>
/// </remarks>
internal static class LogFormat
{
    public const int HeaderSize = 32;
    public const int RecordHeaderSize = 8;
    public const int RecordPrefixSize = 12;
    public const uint Version = 1;

    public static ReadOnlySpan<byte> SegmentMagic => "RLOGSEG1"u8;

    public static ReadOnlySpan<byte> SnapshotMagic => "RLOGSNP1"u8;

    public static int Align8(int length) => (length + 7) & ~7;

    public static int RecordSize(int bodyLength) => Align8(RecordHeaderSize + RecordPrefixSize + bodyLength);

    public static void WriteHeader(Span<byte> destination, ReadOnlySpan<byte> magic, ulong sequence)
    {
        destination[..HeaderSize].Clear();
        magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], HeaderCrc(destination));
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> magic, out ulong sequence)
    {
        sequence = 0;
        if (source.Length < HeaderSize || !source[..8].SequenceEqual(magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) != HeaderCrc(source))
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadUInt64LittleEndian(source[16..]);
        return true;
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
        Span<byte> copy = stackalloc byte[HeaderSize];
        header[..HeaderSize].CopyTo(copy);
        copy[12..16].Clear();
        return Crc32C.Compute(copy);
    }
}

/// <summary>The kinds of record in a log.</summary>
internal enum RecordType : byte
{
    Put = 1,
    State = 2,
    Delete = 3,
    SnapshotEnd = 4,
    CompensationRegister = 10,
    CompensationComplete = 11,
    CompensationStepDone = 12,
    CompensationCompensated = 13,
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
