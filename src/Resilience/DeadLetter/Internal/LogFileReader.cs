namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Reads the records of one log file front to back through a window that holds at most one chunk plus the largest
/// record, so files of any size are read without holding them in memory.
/// </summary>
internal sealed class LogFileReader
{
    private const int ChunkSize = 1024 * 1024;

    private readonly LogFile _file;
    private readonly int _maxRecordLength;
    private byte[] _buffer = new byte[ChunkSize];
    private long _bufferStart;
    private int _bufferLength;
    private int _bodyStart;
    private int _bodyLength;
    private int _recordStart;
    private int _recordSize;

    public LogFileReader(LogFile file, long position, long end, int maxRecordLength)
    {
        _file = file;
        End = end;
        Position = position;
        _bufferStart = position;
        _maxRecordLength = maxRecordLength;
    }

    /// <summary>Gets where the next record starts.</summary>
    public long Position { get; private set; }

    /// <summary>Gets the end of the readable file.</summary>
    public long End { get; }

    /// <summary>Gets the body of the record <see cref="Next"/> last returned as valid.</summary>
    public ReadOnlySpan<byte> Body => _buffer.AsSpan(_bodyStart, _bodyLength);

    /// <summary>Gets the whole (aligned) bytes of the record <see cref="Next"/> last returned as valid.</summary>
    public ReadOnlySpan<byte> Record => _buffer.AsSpan(_recordStart, _recordSize);

    /// <summary>Reads bytes at an absolute offset (for the short reads of a header).</summary>
    public static int ReadAt(LogFile file, Span<byte> destination, long offset)
    {
        var read = 0;
        while (read < destination.Length)
        {
            var count = file.Read(destination[read..], offset + read);
            if (count == 0)
            {
                break;
            }

            read += count;
        }

        return read;
    }

    /// <summary>Checks the record at <see cref="Position"/>; a valid one is consumed (Position moves past it).</summary>
    public RecordCheck Next(out RecordType type, out ulong sequence)
    {
        type = default;
        sequence = 0;
        var available = Fill(LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize);
        var window = _buffer.AsSpan((int)(Position - _bufferStart), available);
        if (available >= LogFormat.RecordHeaderSize)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(window);
            if (length != 0 && length <= (uint)_maxRecordLength)
            {
                available = Fill(LogFormat.Align8(LogFormat.RecordHeaderSize + (int)length));
                window = _buffer.AsSpan((int)(Position - _bufferStart), available);
            }
        }

        var check = LogFormat.CheckRecord(window, _maxRecordLength, out type, out sequence, out var body, out var size);
        if (check == RecordCheck.Valid)
        {
            _recordStart = (int)(Position - _bufferStart);
            _recordSize = size;
            _bodyStart = _recordStart + LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize;
            _bodyLength = body.Length;
            Position += size;
        }

        return check;
    }

    /// <summary>Moves to an absolute offset (used to scan past damage).</summary>
    public void Seek(long position)
    {
        Position = position;
        if (position < _bufferStart || position > _bufferStart + _bufferLength)
        {
            _bufferStart = position;
            _bufferLength = 0;
        }
    }

    /// <summary>
    /// Finds the end of the last non-zero byte at or after <paramref name="from"/>; returns <paramref name="from"/>
    /// when everything after it is zero.
    /// </summary>
    public long LastNonZeroEnd(long from)
    {
        var chunk = new byte[ChunkSize];
        var end = from;
        for (var offset = from; offset < End; offset += chunk.Length)
        {
            // Preallocated space is a hole: the file system says where data is, so an almost empty segment is not read whole.
            var data = _file.NextDataOffset(offset);
            if (data < 0 || data >= End)
            {
                break;
            }

            offset = Math.Max(offset, data);
            var count = ReadAt(_file, chunk.AsSpan(0, (int)Math.Min(chunk.Length, End - offset)), offset);
            if (count == 0)
            {
                break;
            }

            var last = chunk.AsSpan(0, count).LastIndexOfAnyExcept((byte)0);
            if (last >= 0)
            {
                end = offset + last + 1;
            }
        }

        return end;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes from Position available (fewer at the end of the file).</summary>
    private int Fill(int count)
    {
        var offsetInBuffer = (int)(Position - _bufferStart);
        var wanted = (int)Math.Min(count, End - Position);
        if (wanted <= 0)
        {
            return 0;
        }

        if (offsetInBuffer + wanted <= _bufferLength)
        {
            return wanted;
        }

        // Slide what is left to the front, grow for a large record, and read the next chunk behind it.
        var remaining = Math.Max(0, _bufferLength - offsetInBuffer);
        var needed = Math.Max(wanted, ChunkSize);
        if (_buffer.Length < needed)
        {
            var larger = new byte[needed];
            _buffer.AsSpan(offsetInBuffer, remaining).CopyTo(larger);
            _buffer = larger;
        }
        else if (remaining > 0)
        {
            _buffer.AsSpan(offsetInBuffer, remaining).CopyTo(_buffer);
        }

        _bufferStart = Position;
        _bufferLength = remaining;
        var toRead = (int)Math.Min(_buffer.Length - remaining, End - (Position + remaining));
        if (toRead > 0)
        {
            _bufferLength += ReadAt(_file, _buffer.AsSpan(remaining, toRead), Position + remaining);
        }

        return Math.Min(wanted, _bufferLength);
    }
}
