namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The records of one batch read back at open, held until the batch's commit record verifies them all: a batch is
/// applied whole or not at all.
/// </summary>
internal sealed class StagedBatch
{
    private readonly List<(RecordType Type, ulong Sequence, long Offset, int Start, int Length)> _records = [];
    private byte[] _bodies = new byte[64 * 1024];
    private int _used;
    private uint _crc = Crc32C.Initial;
    private long _bytes;

    public int Count => _records.Count;

    public void Add(RecordType type, ulong sequence, long offset, ReadOnlySpan<byte> body, ReadOnlySpan<byte> record)
    {
        if (_used + body.Length > _bodies.Length)
        {
            Array.Resize(ref _bodies, Math.Max(_used + body.Length, _bodies.Length * 2));
        }

        body.CopyTo(_bodies.AsSpan(_used));
        _records.Add((type, sequence, offset, _used, body.Length));
        _used += body.Length;
        _crc = Crc32C.Update(_crc, record);
        _bytes += record.Length;
    }

    public bool Verifies(BatchCommit commit, ulong firstSequence)
        => commit.FirstSequence == firstSequence && commit.Count == _records.Count && commit.Bytes == _bytes && commit.Crc == Crc32C.Finish(_crc);

    public IEnumerable<(RecordType Type, ulong Sequence, long Offset, ReadOnlyMemory<byte> Body)> Records()
    {
        foreach (var (type, sequence, offset, start, length) in _records)
        {
            yield return (type, sequence, offset, _bodies.AsMemory(start, length));
        }
    }

    public void Clear()
    {
        _records.Clear();
        _used = 0;
        _crc = Crc32C.Initial;
        _bytes = 0;
    }
}
