using System.Buffers;
using System.Globalization;

namespace Resilience.DeadLetter.Internal;

internal sealed partial class SegmentLog
{
    private void Recover(CorruptionHandling handling)
    {
        foreach (var temporary in Directory.GetFiles(_directory, "*.tmp"))
        {
            // A snapshot that never got renamed is incomplete by definition.
            _files.Delete(temporary);
        }

        var snapshotSequence = LoadNewestSnapshot(handling);
        Recovery.SnapshotSequence = snapshotSequence;

        var segments = Directory.GetFiles(_directory, "seg-*.log")
            .Select(path => (Path: path, First: ParseSequence(path, "seg-")))
            .Where(s => s.First.HasValue)
            .Select(s => (s.Path, First: s.First!.Value))
            .OrderBy(s => s.First)
            .ToList();

        var expected = snapshotSequence + 1;
        if (segments.Count > 0 && segments[0].First <= expected)
        {
            expected = segments[0].First;
        }

        for (var i = 0; i < segments.Count; i++)
        {
            var (path, first) = segments[i];
            var isLast = i == segments.Count - 1;
            if (first != expected)
            {
                Corrupt(handling, path, 0, $"the segment starts at sequence {first} but {expected} was expected (a segment is missing)");
                expected = first;
            }

            var end = ReplaySegment(path, first, isLast, snapshotSequence, handling, ref expected);
            if (end < 0)
            {
                // A segment whose header never reached the disk holds nothing; it is removed.
                _files.Delete(path);
                continue;
            }

            _segments.Add((path, first));
            _logBytes += end;
            if (isLast)
            {
                _segment = _files.Open(path, createNew: false);
                var aligned = LogFormat.Align8((int)end);
                if (aligned != end)
                {
                    // Only the zero padding of the last record was lost: restore it so appends stay aligned.
                    _segment.SetLength(aligned);
                    _segment.Flush();
                }

                _segmentLength = aligned;
            }
        }

        _nextSequence = Math.Max(expected, snapshotSequence + 1);
        lock (_fileLock)
        {
            if (_segment is null)
            {
                StartSegment_NeedsLock(_nextSequence);
            }
        }
    }

    /// <summary>Replays one segment; returns the length of its valid part, or -1 when it has no valid header.</summary>
    private long ReplaySegment(string path, ulong first, bool isLast, ulong snapshotSequence, CorruptionHandling handling, ref ulong expected)
    {
        byte[] data;
        using (var file = _files.Open(path, createNew: false))
        {
            data = ReadAll(file);
        }

        if (!LogFormat.TryReadHeader(data, LogFormat.SegmentMagic, out var headerSequence) || headerSequence != first)
        {
            if (isLast && (data.Length < LogFormat.HeaderSize || !data.AsSpan().ContainsAnyExcept((byte)0)))
            {
                Recovery.TruncatedBytes += data.Length;
                Recovery.Notes.Add($"Removed segment '{path}', whose header was never completely written.");
                return -1;
            }

            Corrupt(handling, path, 0, "the segment header is damaged");
            Quarantine(path, data, 0);
            return -1;
        }

        var offset = LogFormat.HeaderSize;
        while (offset < data.Length)
        {
            var check = LogFormat.CheckRecord(data.AsSpan(offset), _maxRecordLength, out var type, out var sequence, out var body, out var size);
            if (check == RecordCheck.Valid && sequence == expected)
            {
                if (sequence > snapshotSequence)
                {
                    ApplyRecovered(handling, path, offset, type, body);
                }

                expected++;
                offset += size;
                continue;
            }

            var detail = check == RecordCheck.Valid ? $"sequence {sequence} where {expected} was expected" : check.ToString();
            if (check == RecordCheck.EndOfData && !data.AsSpan(offset).ContainsAnyExcept((byte)0))
            {
                // Zero bytes up to the end: space the file system extended but no record filled.
                TruncateTail(path, data.Length, offset, isLast, handling);
                return offset;
            }

            if (!HasValidRecordAfter(data, offset, expected))
            {
                if (isLast)
                {
                    TruncateTail(path, data.Length, offset, isLast, handling);
                    return offset;
                }

                Corrupt(handling, path, offset, $"{detail} before the end of a segment that is not the last one");
            }
            else
            {
                Corrupt(handling, path, offset, $"{detail}, followed by valid records");
            }

            Quarantine(path, data, offset);
            return offset;
        }

        return data.Length;
    }

    private void ApplyRecovered(CorruptionHandling handling, string path, long offset, RecordType type, ReadOnlySpan<byte> body)
    {
        try
        {
            _state.Apply(type, body);
            Recovery.RecordsReplayed++;
        }
        catch (FormatException ex)
        {
            Corrupt(handling, path, offset, "a record with a valid checksum holds data that cannot be read: " + ex.Message);
            Recovery.Notes.Add($"Skipped an unreadable record at offset {offset} of '{path}'.");
        }
    }

    private bool HasValidRecordAfter(byte[] data, int offset, ulong expected)
    {
        for (var position = offset + 8; position + LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize <= data.Length; position += 8)
        {
            if (LogFormat.CheckRecord(data.AsSpan(position), _maxRecordLength, out _, out var sequence, out _, out _) == RecordCheck.Valid
                && sequence >= expected)
            {
                return true;
            }
        }

        return false;
    }

    private void TruncateTail(string path, long length, long offset, bool isLast, CorruptionHandling handling)
    {
        if (length == offset)
        {
            return;
        }

        if (!isLast)
        {
            Corrupt(handling, path, offset, "a segment that is not the last one ends early");
        }

        using var file = _files.Open(path, createNew: false);
        file.SetLength(offset);
        file.Flush();
        Recovery.TruncatedBytes += length - offset;
        Recovery.Notes.Add($"Truncated a torn tail of {length - offset} bytes at offset {offset} of '{path}'.");
    }

    private void Quarantine(string path, byte[] data, int offset)
    {
        var quarantine = string.Create(CultureInfo.InvariantCulture, $"{path}.corrupt-{offset}");
        using (var copy = _files.Open(quarantine, createNew: true))
        {
            copy.Write(data.AsSpan(offset), 0);
            copy.Flush();
        }

        using (var file = _files.Open(path, createNew: false))
        {
            file.SetLength(offset);
            file.Flush();
        }

        Recovery.QuarantinedBytes += data.Length - offset;
        Recovery.Notes.Add($"Moved {data.Length - offset} damaged bytes from offset {offset} of '{path}' to '{quarantine}'.");
    }

    private static void Corrupt(CorruptionHandling handling, string path, long offset, string detail)
    {
        if (handling == CorruptionHandling.Strict)
        {
            throw new DeadLetterStoreCorruptedException(path, offset, detail);
        }
    }

    private ulong LoadNewestSnapshot(CorruptionHandling handling)
    {
        var snapshots = Directory.GetFiles(_directory, "snap-*.bin")
            .Select(path => (Path: path, Sequence: ParseSequence(path, "snap-")))
            .Where(s => s.Sequence.HasValue)
            .OrderByDescending(s => s.Sequence)
            .ToList();
        foreach (var (path, sequence) in snapshots)
        {
            byte[] data;
            using (var file = _files.Open(path, createNew: false))
            {
                data = ReadAll(file);
            }

            var records = ReadSnapshot(data, sequence!.Value);
            if (records is not null)
            {
                foreach (var (type, start, length) in records)
                {
                    _state.Apply(type, data.AsSpan(start, length));
                }

                SnapshotCount = records.Count;
                return sequence.Value;
            }

            Corrupt(handling, path, 0, "the snapshot does not verify");
            Recovery.Notes.Add($"Ignored damaged snapshot '{path}'.");
        }

        return 0;
    }

    private List<(RecordType Type, int Start, int Length)>? ReadSnapshot(byte[] data, ulong sequence)
    {
        if (!LogFormat.TryReadHeader(data, LogFormat.SnapshotMagic, out var headerSequence) || headerSequence != sequence)
        {
            return null;
        }

        var records = new List<(RecordType, int, int)>();
        var offset = LogFormat.HeaderSize;
        ulong expected = 1;
        while (offset < data.Length)
        {
            if (LogFormat.CheckRecord(data.AsSpan(offset), _maxRecordLength, out var type, out var recordSequence, out var body, out var size) != RecordCheck.Valid
                || recordSequence != expected)
            {
                return null;
            }

            if (type == RecordType.SnapshotEnd)
            {
                return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(body) == (ulong)records.Count ? records : null;
            }

            records.Add((type, offset + LogFormat.RecordHeaderSize + LogFormat.RecordPrefixSize, body.Length));
            expected++;
            offset += size;
        }

        return null;
    }

    private static byte[] ReadAll(LogFile file)
    {
        var length = file.Length;
        if (length > int.MaxValue)
        {
            throw new IOException("A log file is larger than 2 GiB; segment sizes must stay below that.");
        }

        var data = GC.AllocateUninitializedArray<byte>((int)length);
        var read = 0;
        while (read < data.Length)
        {
            var count = file.Read(data.AsSpan(read), read);
            if (count == 0)
            {
                Array.Resize(ref data, read);
                break;
            }

            read += count;
        }

        return data;
    }

    private static ulong? ParseSequence(string path, string prefix)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }
}
