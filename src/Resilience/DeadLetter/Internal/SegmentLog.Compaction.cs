using System.Buffers.Binary;

namespace Resilience.DeadLetter.Internal;

internal sealed partial class SegmentLog
{
    private const int MaxSegmentsBeforeCompaction = 8;

    /// <summary>Gets how many compactions ran since the log was opened.</summary>
    public int CompactionCount { get; private set; }

    /// <summary>
    /// Compacts when the log is past the threshold and more than half of it is dead, or when it spans many segments.
    /// Runs on the writer loop, so no append interleaves with it.
    /// </summary>
    private void MaybeCompact()
    {
        var tooLarge = _logBytes > _compactionThreshold && _logBytes > 2 * _state.LiveBytes;
        if (!tooLarge && _segments.Count <= MaxSegmentsBeforeCompaction)
        {
            return;
        }

        try
        {
            Compact();
        }
#pragma warning disable CA1031 // A failed compaction leaves the log as it was (old segments stay); the log keeps working unless the roll itself failed.
        catch (Exception ex)
        {
            Recovery.Notes.Add("Compaction failed: " + ex.Message);
        }
#pragma warning restore CA1031
    }

    /// <summary>
    /// Rolls to a new segment, writes the live state as a snapshot covering everything before it (temp file, flush,
    /// rename, directory flush), then deletes the older segments and snapshots. A crash at any step reopens to the
    /// same content: before the rename the old segments are intact; after it, records already in the snapshot are
    /// skipped by sequence number.
    /// </summary>
    internal void Compact()
    {
        ulong covered;
        lock (_fileLock)
        {
            try
            {
                RollSegment_NeedsLock();
            }
            catch (Exception ex)
            {
                _fault = ex;
                throw;
            }

            covered = _nextSequence - 1;
        }

        var records = _state.CreateSnapshot();
        var temporary = SnapshotPath(covered, "tmp");
        try
        {
            WriteSnapshot(temporary, covered, records);
        }
        finally
        {
            foreach (var record in records)
            {
                record.Release();
            }
        }

        var final = SnapshotPath(covered, "bin");
        _files.Move(temporary, final);
        _files.FlushDirectory(_directory);

        lock (_fileLock)
        {
            var current = _segments[^1];
            foreach (var (path, _) in _segments.Take(_segments.Count - 1))
            {
                _files.Delete(path);
            }

            _segments.Clear();
            _segments.Add(current);
            _logBytes = _segmentLength;
        }

        foreach (var old in Directory.GetFiles(_directory, "snap-*.bin"))
        {
            if (!string.Equals(old, final, StringComparison.Ordinal))
            {
                _files.Delete(old);
            }
        }

        _files.FlushDirectory(_directory);
        SnapshotCount = records.Count;
        CompactionCount++;
    }

    private void WriteSnapshot(string path, ulong covered, IReadOnlyList<EncodedRecord> records)
    {
        using var file = _files.Open(path, createNew: true);
        var buffer = new byte[Math.Max(64 * 1024, LogFormat.HeaderSize)];
        LogFormat.WriteHeader(buffer, LogFormat.SnapshotMagic, covered);
        var used = LogFormat.HeaderSize;
        long offset = 0;
        ulong sequence = 1;

        void Append(ReadOnlySpan<byte> bytes)
        {
            if (used + bytes.Length > buffer.Length)
            {
                file.Write(buffer.AsSpan(0, used), offset);
                offset += used;
                used = 0;
                if (bytes.Length > buffer.Length)
                {
                    buffer = new byte[bytes.Length];
                }
            }

            bytes.CopyTo(buffer.AsSpan(used));
            used += bytes.Length;
        }

        foreach (var record in records)
        {
            Append(record.Seal(sequence++));
        }

        var end = EncodedRecord.Create(RecordType.SnapshotEnd, 8);
        BinaryPrimitives.WriteUInt64LittleEndian(end.Body, (ulong)records.Count);
        Append(end.Seal(sequence));
        end.Release();

        file.Write(buffer.AsSpan(0, used), offset);
        file.Flush();
    }
}
