using System.Buffers;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// A record encoded into a pooled buffer with room for its header; the writer seals it (sequence and checksum)
/// when it takes its place in the log.
/// </summary>
/// <remarks>
/// A writer that owns its records may reuse one for its next write (<see cref="Reuse"/>) once the log released it
/// and its owner applied it: the log touches a record only until it calls <see cref="Release"/>, once.
/// </remarks>
internal sealed class EncodedRecord
{
    private byte[]? _buffer;

    private EncodedRecord(byte[] buffer, RecordType type, int bodyLength)
    {
        _buffer = buffer;
        Type = type;
        BodyLength = bodyLength;
    }

    public RecordType Type { get; private set; }

    public int BodyLength { get; private set; }

    public int Size => LogFormat.RecordSize(BodyLength);

    /// <summary>Gets or sets the file the writer put the record in (set before its owner applies it).</summary>
    public RecordFile? File { get; set; }

    /// <summary>Gets or sets the offset of the record in <see cref="File"/>.</summary>
    public long Offset { get; set; }

    /// <summary>Gets or sets what the record's owner needs to apply it (the store: its change), so the follow-up needs no state object.</summary>
    public object? Tag { get; set; }

    /// <summary>Gets where the writer put the record.</summary>
    public RecordLocation Location => new(File ?? throw new InvalidOperationException("The record was not written."), Offset, Size);

    public Span<byte> Body => Buffer.AsSpan(LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize, BodyLength);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(EncodedRecord));

    public static EncodedRecord Create(RecordType type, int bodyLength)
        => new(ArrayPool<byte>.Shared.Rent(LogFormat.RecordSize(bodyLength)), type, bodyLength);

    /// <summary>Gets <paramref name="reused"/> ready for a new record (a fresh buffer, no location), or a new record when it is <see langword="null"/>.</summary>
    public static EncodedRecord Reuse(EncodedRecord? reused, RecordType type, int bodyLength)
    {
        if (reused is null)
        {
            return Create(type, bodyLength);
        }

        reused.Release();
        reused._buffer = ArrayPool<byte>.Shared.Rent(LogFormat.RecordSize(bodyLength));
        reused.Type = type;
        reused.BodyLength = bodyLength;
        reused.File = null;
        reused.Offset = 0;
        reused.Tag = null;
        return reused;
    }

    /// <summary>Seals the record with its sequence number and returns its bytes.</summary>
    public ReadOnlySpan<byte> Seal(ulong sequence)
    {
        var record = Buffer.AsSpan(0, Size);
        LogFormat.SealRecord(record, Type, sequence, BodyLength);
        return record;
    }

    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
