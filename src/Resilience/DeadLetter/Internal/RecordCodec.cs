using System.Buffers.Binary;
using System.Text;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Turns entries and their changes into record bodies and back. Bodies are little-endian binary: strings as a
/// 32-bit byte count (-1 for null) and UTF-8, times as UTC ticks.
/// </summary>
/// <remarks>
/// The failure fields (failure group, first and last failure, replay count and time) were added after format 2 shipped,
/// as a tail after every field a Put or State record had: readers take the tail when bytes remain, so records written
/// without it decode with defaults, and a reader that predates the tail ignores it (the body's length is in the
/// record). That keeps the change inside format version 2 (<see cref="LogFormat.Version"/>): no file layout moved.
/// Reopening decodes the tail into the index (the group interned), still without copying payloads or error text.
/// </remarks>
internal static class RecordCodec
{
    private const long NoTime = long.MinValue;

    /// <summary>Gets the bytes a Put record's body takes for an entry (the whole-record limit is checked on it).</summary>
    public static int PutBodySize(DeadLetterEntry entry)
    {
        var size = StringSize(entry.Id) + StringSize(entry.OperationType) + 16 + ErrorSize(entry.Error)
            + 4 + entry.Payload.Length + 4 + 4 + 4 + 8 + 1 + 16 + FailureTailSize(entry);
        if (entry.Context.Count > 0)
        {
            // Not enumerated when empty: the interface enumerator is boxed, and most entries have no context.
            foreach (var pair in entry.Context)
            {
                size += StringSize(pair.Key) + StringSize(pair.Value);
            }
        }

        return size;
    }

    /// <summary>
    /// Encodes a whole entry. <paramref name="version"/> is written by snapshots (0: the record's own sequence number
    /// becomes the version); <paramref name="expectedVersion"/> makes the write conditional (0: unconditional).
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="version">The version a snapshot records, or 0.</param>
    /// <param name="expectedVersion">The version the entry must be at, or 0.</param>
    /// <param name="into">A record to reuse (see <see cref="EncodedRecord.Reuse"/>), or <see langword="null"/> for a new one.</param>
    public static EncodedRecord EncodePut(DeadLetterEntry entry, long version, long expectedVersion, EncodedRecord? into = null)
    {
        var record = EncodedRecord.Reuse(into, RecordType.Put, PutBodySize(entry));
        var writer = new SpanWriter(record.Body);
        writer.WriteString(entry.Id);
        writer.WriteString(entry.OperationType);
        writer.WriteInt64(entry.CreatedAt.UtcTicks);
        writer.WriteInt64(entry.UpdatedAt.UtcTicks);
        WriteError(ref writer, entry.Error);
        writer.WriteInt32(entry.Payload.Length);
        writer.WriteBytes(entry.Payload.Span);
        writer.WriteInt32(entry.Context.Count);
        if (entry.Context.Count > 0)
        {
            foreach (var pair in entry.Context)
            {
                writer.WriteString(pair.Key);
                writer.WriteString(pair.Value);
            }
        }

        WriteState(ref writer, entry);
        writer.WriteInt64(version);
        writer.WriteInt64(expectedVersion);
        WriteFailureTail(ref writer, entry);
        return record;
    }

    /// <summary>Encodes a change of an entry's state (not its payload), applied only if the entry is at <paramref name="expectedVersion"/>.</summary>
    public static EncodedRecord EncodeState(DeadLetterEntry entry, long expectedVersion, EncodedRecord? into = null)
    {
        var size = StringSize(entry.Id) + 8 + ErrorSize(entry.Error) + 4 + 4 + 8 + 1 + 8 + FailureTailSize(entry);
        var record = EncodedRecord.Reuse(into, RecordType.State, size);
        var writer = new SpanWriter(record.Body);
        writer.WriteString(entry.Id);
        writer.WriteInt64(entry.UpdatedAt.UtcTicks);
        WriteError(ref writer, entry.Error);
        WriteState(ref writer, entry);
        writer.WriteInt64(expectedVersion);
        WriteFailureTail(ref writer, entry);
        return record;
    }

    public static EncodedRecord EncodeDelete(string id, long expectedVersion, EncodedRecord? into = null)
    {
        var record = EncodedRecord.Reuse(into, RecordType.Delete, StringSize(id) + 8);
        var writer = new SpanWriter(record.Body);
        writer.WriteString(id);
        writer.WriteInt64(expectedVersion);
        return record;
    }

    /// <summary>
    /// Decodes what the index keeps of a dead letter record (format 1 records have no versions): the payload, the
    /// context and the error text are skipped, not copied, so reopening allocates none of them.
    /// </summary>
    public static DeadLetterChange DecodeIndex(RecordType type, ReadOnlySpan<byte> body, DecodePool pool, DeadLetterChange into)
    {
        var reader = new SpanReader(body);
        switch (type)
        {
            case RecordType.Put:
                var id = reader.ReadRequiredString();
                var operationType = pool.Intern(reader.ReadRequiredUtf8());
                var created = reader.ReadTime().UtcTicks;
                var updated = reader.ReadTime().UtcTicks;
                var reason = SkipError(ref reader);
                var payloadLength = reader.ReadInt32();
                reader.ReadBytes(payloadLength);
                SkipContext(ref reader, body.Length);
                var state = ReadStateTicks(ref reader);
                var (version, expected) = reader.Remaining >= 16 ? (reader.ReadInt64(), reader.ReadInt64()) : (0L, 0L);
                var failure = ReadFailureTail(ref reader, reason, pool);
                return into.SetDecodedPut(id, operationType, created, updated, payloadLength, state, failure, version, expected);
            case RecordType.State:
                var stateId = reader.ReadRequiredString();
                var stateUpdated = reader.ReadTime().UtcTicks;
                var stateReason = SkipError(ref reader);
                var fields = ReadStateTicks(ref reader);
                var expectedVersion = reader.Remaining >= 8 ? reader.ReadInt64() : 0;
                return into.SetDecodedState(stateId, stateUpdated, fields, ReadFailureTail(ref reader, stateReason, pool), expectedVersion);
            case RecordType.Delete:
                var deleted = reader.ReadRequiredString();
                return into.SetDecodedDelete(deleted, reader.Remaining >= 8 ? reader.ReadInt64() : 0);
            default:
                throw new FormatException($"Record type {(byte)type} does not belong in a dead letter store.");
        }
    }

    /// <summary>
    /// Builds the whole entry from its Put record, the record holding its latest error (the same Put, or a State
    /// record) and the index, which holds the current state.
    /// </summary>
    public static DeadLetterEntry Materialize(IndexedEntry index, ReadOnlySpan<byte> putBody, ReadOnlySpan<byte> errorBody, bool errorIsState)
    {
        var reader = new SpanReader(putBody);
        var id = reader.ReadRequiredString();
        if (!string.Equals(id, index.Id, StringComparison.Ordinal))
        {
            throw new FormatException($"The record the index points to for '{index.Id}' holds '{id}'.");
        }

        reader.ReadRequiredString();
        reader.ReadTime();
        reader.ReadTime();
        var error = ReadError(ref reader, pool: null);
        var payload = reader.ReadBytes(reader.ReadInt32()).ToArray();
        var context = ReadContext(ref reader, putBody.Length);
        if (errorIsState)
        {
            var stateReader = new SpanReader(errorBody);
            if (!string.Equals(stateReader.ReadRequiredString(), index.Id, StringComparison.Ordinal))
            {
                throw new FormatException($"The state record the index points to does not belong to '{index.Id}'.");
            }

            stateReader.ReadTime();
            error = ReadError(ref stateReader, pool: null);
        }

        return new DeadLetterEntry
        {
            Id = index.Id,
            OperationType = index.OperationType,
            CreatedAt = index.CreatedAt,
            UpdatedAt = index.UpdatedAt,
            Error = error,
            Payload = payload,
            Context = context,
            AttemptCount = index.AttemptCount,
            MaxAttempts = index.MaxAttempts,
            NextAttemptAt = index.NextAttemptAt,
            Status = index.Status,
            FailureGroup = index.FailureGroup,
            FirstFailedAt = index.FirstFailedAt,
            LastFailedAt = index.LastFailedAt,
            ReplayCount = index.ReplayCount,
            LastReplayedAt = index.LastReplayedAt,
            Version = index.Version,
        };
    }

    /// <summary>
    /// Copies a Put record's body for a snapshot, with the version the snapshot records (and no condition), when the
    /// body is in the current layout; the caller re-encodes otherwise. Valid only while the entry's state is still the
    /// one the record holds (no state change since).
    /// </summary>
    public static EncodedRecord? TryCopyPutForSnapshot(ReadOnlySpan<byte> body, long version)
    {
        var reader = new SpanReader(body);
        reader.SkipString(required: true);
        reader.SkipString(required: true);
        reader.ReadInt64();
        reader.ReadInt64();
        SkipError(ref reader);
        reader.ReadBytes(reader.ReadInt32());
        SkipContext(ref reader, body.Length);
        ReadStateTicks(ref reader);
        if (reader.Remaining < 16)
        {
            return null;
        }

        // The versions lie after the state; the failure fields' tail (if any) follows them and is copied as it is.
        var versions = reader.Position;
        var record = EncodedRecord.Create(RecordType.Put, body.Length);
        body.CopyTo(record.Body);
        BinaryPrimitives.WriteInt64LittleEndian(record.Body[versions..], version);
        BinaryPrimitives.WriteInt64LittleEndian(record.Body[(versions + 8)..], 0);
        return record;
    }

    private static IReadOnlyDictionary<string, string> ReadContext(ref SpanReader reader, int bodyLength)
    {
        var contextCount = reader.ReadInt32();
        if (contextCount < 0 || contextCount > bodyLength)
        {
            throw new FormatException("Bad context count.");
        }

        if (contextCount == 0)
        {
            return DeadLetterEntry.EmptyContext;
        }

        var map = new Dictionary<string, string>(contextCount, StringComparer.Ordinal);
        for (var i = 0; i < contextCount; i++)
        {
            map[reader.ReadRequiredString()] = reader.ReadRequiredString();
        }

        return map;
    }

    private static void SkipContext(ref SpanReader reader, int bodyLength)
    {
        var contextCount = reader.ReadInt32();
        if (contextCount < 0 || contextCount > bodyLength)
        {
            throw new FormatException("Bad context count.");
        }

        for (var i = 0; i < contextCount; i++)
        {
            reader.SkipString(required: true);
            reader.SkipString(required: true);
        }
    }

    /// <summary>Moves past an error, returning its reason (the index keeps it).</summary>
    private static DeadLetterFailureReason SkipError(ref SpanReader reader)
    {
        reader.SkipString(required: true);
        reader.SkipString(required: true);
        reader.SkipString(required: false);
        return (DeadLetterFailureReason)reader.ReadByte();
    }

    internal static int FailureTailSize(DeadLetterEntry entry) => StringSize(entry.FailureGroup) + 8 + 8 + 4 + 8;

    private static void WriteFailureTail(ref SpanWriter writer, DeadLetterEntry entry)
    {
        writer.WriteString(entry.FailureGroup);
        writer.WriteInt64(entry.FirstFailedAt?.UtcTicks ?? NoTime);
        writer.WriteInt64(entry.LastFailedAt?.UtcTicks ?? NoTime);
        writer.WriteInt32(entry.ReplayCount);
        writer.WriteInt64(entry.LastReplayedAt?.UtcTicks ?? NoTime);
    }

    /// <summary>Reads the failure fields' tail, or their defaults when the record was written without it.</summary>
    private static FailureFields ReadFailureTail(ref SpanReader reader, DeadLetterFailureReason reason, DecodePool pool)
    {
        if (reader.Remaining == 0)
        {
            return FailureFields.None with { Reason = reason };
        }

        var length = reader.ReadInt32();
        string? group = null;
        if (length != -1)
        {
            group = pool.Intern(reader.ReadBytes(length));
        }

        var first = ReadOptionalTicks(ref reader);
        var last = ReadOptionalTicks(ref reader);
        var replays = reader.ReadInt32();
        if (replays < 0)
        {
            throw new FormatException("Bad replay count.");
        }

        return new FailureFields(reason, group, first, last, replays, ReadOptionalTicks(ref reader));
    }

    private static long ReadOptionalTicks(ref SpanReader reader)
    {
        var ticks = reader.ReadInt64();
        return ticks == NoTime || (ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            ? ticks
            : throw new FormatException("Bad time.");
    }

    private static void WriteError(ref SpanWriter writer, DeadLetterError error)
    {
        writer.WriteString(error.Type);
        writer.WriteString(error.Message);
        writer.WriteString(error.StackTrace);
        writer.WriteByte((byte)error.Reason);
    }

    private static DeadLetterError ReadError(ref SpanReader reader, DecodePool? pool)
    {
        var type = reader.ReadRequiredString();
        var error = new DeadLetterError
        {
            Type = pool?.Intern(type) ?? type,
            Message = reader.ReadRequiredString(),
            StackTrace = reader.ReadString(),
            Reason = (DeadLetterFailureReason)reader.ReadByte(),
        };

        return pool?.Share(error) ?? error;
    }

    private static void WriteState(ref SpanWriter writer, DeadLetterEntry entry)
    {
        writer.WriteInt32(entry.AttemptCount);
        writer.WriteInt32(entry.MaxAttempts);
        writer.WriteInt64(entry.NextAttemptAt?.UtcTicks ?? NoTime);
        writer.WriteByte((byte)entry.Status);
    }

    private static DeadLetterStatus ReadStatus(ref SpanReader reader)
    {
        var status = (DeadLetterStatus)reader.ReadByte();
        return Enum.IsDefined(status) ? status : throw new FormatException("Bad status.");
    }

    private static (int Attempts, int MaxAttempts, long Next, DeadLetterStatus Status) ReadStateTicks(ref SpanReader reader)
    {
        var attempts = reader.ReadInt32();
        var maxAttempts = reader.ReadInt32();
        var next = reader.ReadInt64();
        var status = ReadStatus(ref reader);
        if (next != NoTime && (next < DateTimeOffset.MinValue.UtcTicks || next > DateTimeOffset.MaxValue.UtcTicks))
        {
            throw new FormatException("Bad next attempt time.");
        }

        return (attempts, maxAttempts, next, status);
    }


    private static int ErrorSize(DeadLetterError error) => StringSize(error.Type) + StringSize(error.Message) + StringSize(error.StackTrace) + 1;

    internal static int StringSize(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    internal ref struct SpanWriter
    {
        private readonly Span<byte> _buffer;
        private int _position;

        public SpanWriter(Span<byte> buffer)
        {
            _buffer = buffer;
            _position = 0;
        }

        public void WriteByte(byte value) => _buffer[_position++] = value;

        public void WriteInt32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[_position..], value);
            _position += 4;
        }

        public void WriteInt64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer[_position..], value);
            _position += 8;
        }

        public void WriteBytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[_position..]);
            _position += value.Length;
        }

        public void WriteString(string? value)
        {
            if (value is null)
            {
                WriteInt32(-1);
                return;
            }

            var count = Encoding.UTF8.GetBytes(value, _buffer[(_position + 4)..]);
            WriteInt32(count);
            _position += count;
        }
    }

    internal ref struct SpanReader
    {
        private readonly ReadOnlySpan<byte> _buffer;
        private int _position;

        public SpanReader(ReadOnlySpan<byte> buffer)
        {
            _buffer = buffer;
            _position = 0;
        }

        public byte ReadByte()
        {
            Need(1);
            return _buffer[_position++];
        }

        public int ReadInt32()
        {
            Need(4);
            var value = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_position..]);
            _position += 4;
            return value;
        }

        public long ReadInt64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadInt64LittleEndian(_buffer[_position..]);
            _position += 8;
            return value;
        }

        public DateTimeOffset ReadTime()
        {
            var ticks = ReadInt64();
            if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw new FormatException("Bad time.");
            }

            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            if (count < 0)
            {
                throw new FormatException("Bad length.");
            }

            Need(count);
            var value = _buffer.Slice(_position, count);
            _position += count;
            return value;
        }

        public string? ReadString()
        {
            var count = ReadInt32();
            return count == -1 ? null : Encoding.UTF8.GetString(ReadBytes(count));
        }

        public string ReadRequiredString() => ReadString() ?? throw new FormatException("A required string is missing.");

        /// <summary>Reads a required string's UTF-8 bytes without decoding them.</summary>
        public ReadOnlySpan<byte> ReadRequiredUtf8()
        {
            var count = ReadInt32();
            return count == -1 ? throw new FormatException("A required string is missing.") : ReadBytes(count);
        }

        /// <summary>Moves past a string without decoding it (its length is still checked).</summary>
        public void SkipString(bool required)
        {
            var count = ReadInt32();
            if (count == -1 && !required)
            {
                return;
            }

            ReadBytes(count);
        }

        public readonly int Remaining => _buffer.Length - _position;

        public readonly int Position => _position;

        private readonly void Need(int count)
        {
            if (_buffer.Length - _position < count)
            {
                throw new FormatException("The record body ends early.");
            }
        }
    }
}
