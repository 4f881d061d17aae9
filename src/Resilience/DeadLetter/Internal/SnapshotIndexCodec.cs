using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The index section of a snapshot (format 3): what the index keeps of each entry and where its snapshot record lies,
/// in records of about 64 KiB, each checksummed like any record. Reopening reads these instead of the records, so it
/// reads bytes in proportion to the index, not the payloads; a record is still verified when an entry is read.
/// </summary>
/// <remarks>
/// <code>
/// body: u32 count, then per entry: str id | u8 flags (1 same type as the previous entry, 2 has group, 4 same group)
///       | [str type] | [str group] | i64 created, updated, next attempt, version, first failed, last failed, last replayed
///       | i32 attempts, max attempts, payload length, replays | u8 status, reason | i64 record offset | i32 record size
/// str:  i32 length | UTF-8
/// </code>
/// </remarks>
internal static class SnapshotIndexCodec
{
    /// <summary>Bytes of index a record holds before the next one starts.</summary>
    public const int ChunkBytes = 64 * 1024;

    private const byte SameType = 1;
    private const byte HasGroup = 2;
    private const byte SameGroup = 4;
    private const int FixedSize = (7 * 8) + (4 * 4) + 2 + 8 + 4;

    /// <summary>Writes the index records of a snapshot's entries, given where each entry's record went.</summary>
    public static IEnumerable<EncodedRecord> Encode(Func<int, IndexedEntry> entries, int count, long[] offsets, int[] lengths)
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes + 4096);
        string? type = null;
        string? group = null;
        var inChunk = 0;
        for (var i = 0; i < count; i++)
        {
            if (inChunk == 0)
            {
                buffer.ResetWrittenCount();
                WriteInt32(buffer, 0); // the count, set when the chunk is sealed
                type = null;
                group = null;
            }

            var entry = entries(i);
            WriteString(buffer, entry.Id);
            var flags = (byte)((ReferenceEquals(type, entry.OperationType) ? SameType : 0)
                | (entry.FailureGroup is null ? 0 : HasGroup)
                | (entry.FailureGroup is not null && ReferenceEquals(group, entry.FailureGroup) ? SameGroup : 0));
            buffer.GetSpan(1)[0] = flags;
            buffer.Advance(1);
            if ((flags & SameType) == 0)
            {
                WriteString(buffer, entry.OperationType);
                type = entry.OperationType;
            }

            if ((flags & (HasGroup | SameGroup)) == HasGroup)
            {
                WriteString(buffer, entry.FailureGroup!);
                group = entry.FailureGroup;
            }

            var fixedPart = buffer.GetSpan(FixedSize);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, entry.CreatedTicks);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[8..], entry.UpdatedTicks);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[16..], entry.NextAttemptTicks);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[24..], entry.Version);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[32..], entry.FirstFailedTicks);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[40..], entry.LastFailedTicks);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[48..], entry.LastReplayedTicks);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[56..], entry.AttemptCount);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[60..], entry.MaxAttempts);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[64..], entry.PayloadLength);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[68..], entry.ReplayCount);
            fixedPart[72] = (byte)entry.Status;
            fixedPart[73] = (byte)entry.Reason;
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[74..], offsets[i]);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[82..], lengths[i]);
            buffer.Advance(FixedSize);
            inChunk++;
            if (buffer.WrittenCount >= ChunkBytes || i == count - 1)
            {
                yield return Seal(buffer, inChunk);
                inChunk = 0;
            }
        }
    }

    /// <summary>
    /// Decodes one index record and hands each entry to <paramref name="apply"/> as a replayed Put (through the same
    /// change object and function as a record would be), with where its record lies. Throws <see cref="FormatException"/>
    /// for a body that makes no sense.
    /// </summary>
    /// <returns>How many entries the record held.</returns>
    public static int Decode(ReadOnlySpan<byte> body, DecodePool pool, DeadLetterChange into, Action<DeadLetterChange, long, int> apply)
    {
        var reader = new RecordCodec.SpanReader(body);
        var count = reader.ReadInt32();
        if (count <= 0)
        {
            throw new FormatException("An index record holds no entries.");
        }

        string? type = null;
        string? group = null;
        for (var i = 0; i < count; i++)
        {
            var id = Encoding.UTF8.GetString(reader.ReadRequiredUtf8());
            var flags = reader.ReadByte();
            if ((flags & SameType) == 0)
            {
                type = pool.Intern(reader.ReadRequiredUtf8());
            }

            if ((flags & (HasGroup | SameGroup)) == HasGroup)
            {
                group = pool.Intern(reader.ReadRequiredUtf8());
            }

            if (type is null || ((flags & SameGroup) != 0 && group is null))
            {
                throw new FormatException("An index entry refers to a previous one that is missing.");
            }

            var created = reader.ReadTime().UtcTicks;
            var updated = reader.ReadTime().UtcTicks;
            var next = ReadOptionalTime(ref reader);
            var version = reader.ReadInt64();
            var firstFailed = ReadOptionalTime(ref reader);
            var lastFailed = ReadOptionalTime(ref reader);
            var lastReplayed = ReadOptionalTime(ref reader);
            var attempts = reader.ReadInt32();
            var maxAttempts = reader.ReadInt32();
            var payloadLength = reader.ReadInt32();
            var replays = reader.ReadInt32();
            var status = (DeadLetterStatus)reader.ReadByte();
            var reason = (DeadLetterFailureReason)reader.ReadByte();
            var offset = reader.ReadInt64();
            var length = reader.ReadInt32();
            if (!Enum.IsDefined(status) || version <= 0 || payloadLength < 0 || offset < LogFormat.HeaderSize || length <= 0 || length > LogFormat.MaxRecordLength)
            {
                throw new FormatException("An index entry holds a value out of range.");
            }

            var failure = new FailureFields(reason, (flags & HasGroup) != 0 ? group : null, firstFailed, lastFailed, replays, lastReplayed);
            apply(into.SetDecodedPut(id, type, created, updated, payloadLength, (attempts, maxAttempts, next, status), failure, version, 0), offset, length);
        }

        if (reader.Remaining != 0)
        {
            throw new FormatException("An index record holds bytes after its entries.");
        }

        return count;
    }

    private static long ReadOptionalTime(ref RecordCodec.SpanReader reader)
    {
        var ticks = reader.ReadInt64();
        return ticks == IndexedEntry.NoTime || (ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            ? ticks
            : throw new FormatException("Bad time.");
    }

    private static EncodedRecord Seal(ArrayBufferWriter<byte> buffer, int count)
    {
        var record = EncodedRecord.Create(RecordType.SnapshotIndex, buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(record.Body);
        BinaryPrimitives.WriteInt32LittleEndian(record.Body, count);
        return record;
    }

    private static void WriteInt32(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var span = buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var count = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, count);
        buffer.Advance(4 + count);
    }
}
