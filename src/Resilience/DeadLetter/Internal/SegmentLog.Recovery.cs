using System.Globalization;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Opening a log: the newest snapshot that verifies, then every segment after it, batch by batch. A batch is applied
/// only when its commit record verifies it whole. What follows the last verified batch is either an uncommitted tail
/// (a crash or power cut during the last write: discarded deterministically and reported) or, when anything after it
/// proves that it had been made durable, corruption (<see cref="CorruptionHandling"/> decides).
/// </summary>
internal sealed partial class SegmentLog
{
    private enum SegmentEnding
    {
        Clean,
        SegmentEnd,
        Damaged,
    }

    private void Recover()
    {
        foreach (var temporary in Directory.GetFiles(_directory, "*.tmp"))
        {
            // A snapshot that never got renamed is incomplete by definition.
            LogDirectory.EnsureNotLink(temporary);
            _files.Delete(temporary);
        }

        DeleteExpiredQuarantine();
        var snapshotSequence = LoadNewestSnapshot(out var damagedSnapshot);
        Recovery.SnapshotSequence = snapshotSequence;
        var segments = ReadSegmentHeaders();

        // Segments wholly covered by the snapshot are leftovers of a compaction a crash interrupted.
        while (segments.Count > 1 && segments[1].Header.Sequence <= snapshotSequence + 1)
        {
            _files.Delete(segments[0].Path);
            Recovery.Notes.Add($"Removed segment '{segments[0].Path}', which the snapshot already covers (an interrupted compaction).");
            segments.RemoveAt(0);
        }

        var expected = snapshotSequence + 1;
        if (segments.Count == 0 && snapshotSequence > 0)
        {
            Corrupt(_directory, 0, $"the snapshot covers the log through sequence {snapshotSequence}, but the segment that follows it is missing", ref expected, expected);
        }

        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var isLast = i == segments.Count - 1;
            var first = segment.Header.Sequence;
            if (first > expected || (first < expected && (i > 0 || first > snapshotSequence + 1)))
            {
                var why = damagedSnapshot is not null && i == 0 ? $" (the snapshot '{damagedSnapshot}' that held them does not verify)" : string.Empty;
                Corrupt(segment.Path, 0, $"the segment starts at sequence {first} but {expected} was expected: records are missing{why}", ref expected, first);
            }

            if (i == 0 && first < expected)
            {
                // The first segment began before the snapshot's boundary: its older records are skipped by sequence.
                expected = first;
            }

            if (segment.Header.Version == LogFormat.Version && segment.Length < segment.Header.Capacity && isLast && segment.IsEmpty)
            {
                // Nothing was ever written to it: a creation a crash interrupted, whatever its length says.
                using var file = _files.Open(segment.Path, createNew: false);
                file.SetLength(segment.Header.Capacity);
                file.Flush();
                segment = segment with { Length = segment.Header.Capacity };
                Recovery.Notes.Add($"Completed the creation of segment '{segment.Path}', which a crash interrupted.");
            }

            if (segment.Header.Version == LogFormat.Version && segment.Length < segment.Header.Capacity)
            {
                Corrupt(segment.Path, segment.Length, $"the segment is {segment.Length} bytes but was created with {segment.Header.Capacity}: it was cut short", ref expected, expected);
                Recovery.DamagedFiles.Add(segment.Path);
                Recovery.NeedsRewrite = true;
            }

            if (segment.Header.Version != LogFormat.Version)
            {
                Recovery.NeedsRewrite = true;
            }

            // Before an interrupted roll's empty successor, this segment is the real tail: its end record may be torn.
            var rollInterrupted = i == segments.Count - 2 && segments[^1].IsEmpty && segment.Header.Version == LogFormat.Version;
            var records = new RecordFile(segment.Path, _files.OpenRead(segment.Path));
            var (end, ending) = ReplaySegment(segment, records, isLast || rollInterrupted, snapshotSequence, ref expected);
            _segments.Add(new LogSegment(segment.Path, first) { UsedBytes = end, Reader = records });
            _segmentBytes += end;

            if (ending == SegmentEnding.SegmentEnd && isLast)
            {
                Corrupt(segment.Path, end, $"the segment ends with a record naming its successor (sequence {expected}), which is missing: the newest segment was removed", ref expected, expected);
                Recovery.NeedsRewrite = true;
            }
            else if (ending == SegmentEnding.Clean && !isLast && segment.Header.Version == LogFormat.Version)
            {
                if (i == segments.Count - 2 && segments[^1].IsEmpty)
                {
                    // A roll was interrupted after the new segment was made durable: finish it.
                    CompleteRoll(segment.Path, end, expected);
                    _segments[^1].UsedBytes = end + LogFormat.SegmentEndSize;
                    Recovery.Notes.Add($"Completed an interrupted segment roll at '{segment.Path}'.");
                }
                else
                {
                    Corrupt(segment.Path, end, "a segment that is not the newest ends without its end record: its tail is missing", ref expected, expected);
                    Recovery.DamagedFiles.Add(segment.Path);
                    Recovery.NeedsRewrite = true;
                }
            }
            else if (ending == SegmentEnding.Damaged)
            {
                Recovery.NeedsRewrite = true;
            }

            if (isLast && ending == SegmentEnding.Clean && segment.Header.Version == LogFormat.Version
                && (!Recovery.NeedsRewrite || first == expected))
            {
                _segment = _files.Open(segment.Path, createNew: false);
                _segmentLength = end;
                _zeroedTo = end;
                _segmentCapacity = segment.Length;
                MapResumedSegment();
            }
        }

        expected = Math.Max(expected, snapshotSequence + 1);
        _nextSequence = expected;
        _durableSequence = expected - 1;
        lock (_fileLock)
        {
            if (_segment is null)
            {
                if (Recovery.DamagedFiles.Contains(SegmentPath(expected)))
                {
                    // A damaged file (set aside whole) has the name the new segment needs.
                    Retire(SegmentPath(expected));
                }

                if (_segments.Count > 0 && _segments[^1].FirstSequence == expected)
                {
                    // A segment that holds no record but cannot be appended to (old format, or damaged) gives way.
                    Retire(_segments[^1].Path);
                    _segments[^1].Reader?.Retire();
                    _segmentBytes -= _segments[^1].UsedBytes;
                    _segments.RemoveAt(_segments.Count - 1);
                }

                StartSegment_NeedsLock(_nextSequence, 0);
            }
        }

        if (Recovery.NeedsRewrite)
        {
            // Salvaged or old-format files are replaced by a snapshot in the current format, so the next open (strict
            // or not) finds a clean log; damaged files are renamed aside, not deleted.
            InstallSnapshot(expected - 1, _state.CaptureSnapshot());
            Recovery.Notes.Add($"Rewrote the log as a snapshot through sequence {expected - 1}.");
        }

        _snapshotBytes = Directory.GetFiles(_directory, "snap-*.bin").Sum(path => new FileInfo(path).Length);
    }

    /// <summary>Deletes damaged files set aside longer ago than the retention (the time is in their name).</summary>
    private void DeleteExpiredQuarantine()
    {
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var path in Directory.GetFiles(_directory, "*.corrupt-*"))
        {
            var marker = path.LastIndexOf(".corrupt-", StringComparison.Ordinal);
            var setAside = long.TryParse(path.AsSpan(marker + ".corrupt-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                ? new DateTimeOffset(ticks, TimeSpan.Zero)
                : new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            if (now - setAside >= _options.QuarantineRetention)
            {
                LogDirectory.EnsureNotLink(path);
                _files.Delete(path);
                Recovery.Notes.Add($"Deleted '{path}', set aside as damaged on {setAside:u}, past the quarantine retention.");
            }
        }
    }

    private List<SegmentFile> ReadSegmentHeaders()
    {
        var result = new List<SegmentFile>();
        var paths = Directory.GetFiles(_directory, "seg-*.log")
            .Select(path => (Path: path, Sequence: ParseSequence(path, "seg-")))
            .Where(s => s.Sequence.HasValue)
            .OrderBy(s => s.Sequence)
            .ToList();
        Span<byte> bytes = stackalloc byte[LogFormat.HeaderSize];
        for (var i = 0; i < paths.Count; i++)
        {
            var path = paths[i].Path;
            using var file = _files.Open(path, createNew: false);
            var length = file.Length;
            var read = LogFileReader.ReadAt(file, bytes, 0);
            if (LogFormat.TryReadHeader(bytes[..read], snapshot: false, out var header) && header.Sequence == paths[i].Sequence)
            {
                // No record is written to a segment before its predecessor's end record, so a segment whose first
                // record slot is zero holds nothing yet (what matters for an interrupted roll).
                var first = bytes[..4];
                var empty = LogFileReader.ReadAt(file, first, header.Size) < 4 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(first) == 0;
                result.Add(new SegmentFile(path, header, length, empty));
                continue;
            }

            var isLast = i == paths.Count - 1;
            if (isLast && new LogFileReader(file, 0, length, LogFormat.MaxRecordLength).LastNonZeroEnd(LogFormat.HeaderSize) <= LogFormat.HeaderSize)
            {
                // Created, but the header never reached the disk: no record can be in it.
                file.Dispose();
                _files.Delete(path);
                Recovery.TruncatedBytes += length;
                Recovery.Notes.Add($"Removed segment '{path}', whose creation a crash interrupted.");
                continue;
            }

            var ignored = 0UL;
            Corrupt(path, 0, "the segment header is damaged", ref ignored, 0);
            Recovery.DamagedFiles.Add(path);
            Recovery.NeedsRewrite = true;
            Recovery.QuarantinedBytes += length;
            Recovery.Notes.Add($"Set aside segment '{path}', whose header is damaged.");
        }

        return result;
    }

    /// <summary>Replays one segment batch by batch; returns where its valid data ends and how it ends.</summary>
    private (long End, SegmentEnding Ending) ReplaySegment(SegmentFile segment, RecordFile records, bool isLast, ulong snapshotSequence, ref ulong expected)
    {
        using var file = _files.Open(segment.Path, createNew: false);
        var legacy = segment.Header.Version != LogFormat.Version;
        var reader = new LogFileReader(file, segment.Header.Size, segment.Length, segment.Header.MaxRecordLength);
        var staged = new StagedBatch();
        var committedEnd = reader.Position;
        var batchFirst = expected;
        while (true)
        {
            var check = reader.Next(out var type, out var sequence);
            if (check == RecordCheck.Valid)
            {
                if (legacy)
                {
                    if (IsData(type) && sequence == expected)
                    {
                        ApplyRecovered(segment.Path, reader.Position, type, sequence, reader.Body, snapshotSequence, ref expected, new RecordLocation(records, reader.Position - reader.Record.Length, reader.Record.Length));
                        expected = sequence + 1;
                        committedEnd = reader.Position;
                        continue;
                    }
                }
                else if (type == RecordType.BatchCommit)
                {
                    if (staged.Count > 0 && sequence == batchFirst + (ulong)staged.Count - 1 && staged.Verifies(LogFormat.ReadCommit(reader.Body), batchFirst))
                    {
                        foreach (var (recordType, recordSequence, offset, body) in staged.Records())
                        {
                            ApplyRecovered(segment.Path, offset, recordType, recordSequence, body.Span, snapshotSequence, ref expected, new RecordLocation(records, offset, LogFormat.RecordSize(body.Length)));
                        }

                        expected = sequence + 1;
                        batchFirst = expected;
                        committedEnd = reader.Position;
                        staged.Clear();
                        continue;
                    }
                }
                else if (type == RecordType.SegmentEnd)
                {
                    if (staged.Count == 0 && sequence == expected - 1 && LogFormat.ReadSegmentEnd(reader.Body) == expected)
                    {
                        return (reader.Position, SegmentEnding.SegmentEnd);
                    }
                }
                else if (IsData(type) && sequence == batchFirst + (ulong)staged.Count)
                {
                    staged.Add(type, sequence, reader.Position - reader.Record.Length, reader.Body, reader.Record);
                    continue;
                }
            }
            else if (check == RecordCheck.EndOfData && staged.Count == 0 && reader.LastNonZeroEnd(committedEnd) == committedEnd)
            {
                return (committedEnd, SegmentEnding.Clean);
            }

            return HandleDamage(file, reader, segment, records, committedEnd, isLast, legacy, snapshotSequence, ref expected);
        }
    }

    private (long End, SegmentEnding Ending) HandleDamage(LogFile file, LogFileReader reader, SegmentFile segment, RecordFile records, long damagedAt, bool isLast, bool legacy, ulong snapshotSequence, ref ulong expected)
    {
        var damageEnd = reader.LastNonZeroEnd(damagedAt);
        if (isLast && !HasDurableRecordAfter(reader, damagedAt, damageEnd, expected, legacy))
        {
            // Nothing after this point was ever known to be durable: the final write was torn by a crash or power cut
            // and was never acknowledged (Always) or is within the documented loss window (Interval, OsBuffered).
            if (damageEnd > damagedAt)
            {
                if (!legacy)
                {
                    ZeroRange(file, damagedAt, damageEnd);
                }

                Recovery.TruncatedBytes += damageEnd - damagedAt;
                Recovery.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Discarded an uncommitted tail of {damageEnd - damagedAt} bytes at offset {damagedAt} of '{segment.Path}' (records from sequence {expected} on; their write never completed)."));
            }

            return (damagedAt, SegmentEnding.Clean);
        }

        var detail = isLast
            ? "a damaged record followed by records written after it was made durable"
            : "a damaged record in a segment that is not the newest";
        Corrupt(segment.Path, damagedAt, detail, ref expected, expected);

        // Lenient: keep every record that still verifies, in sequence order, so later deletes and state changes apply
        // (nothing deleted comes back); every gap is reported.
        Recovery.DamagedFiles.Add(segment.Path);
        Recovery.QuarantinedBytes += damageEnd - damagedAt;
        for (var position = damagedAt; position < damageEnd;)
        {
            reader.Seek(position);
            if (reader.Next(out var type, out var sequence) == RecordCheck.Valid)
            {
                if (IsData(type) && sequence >= expected)
                {
                    if (sequence > expected)
                    {
                        Recovery.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Lost records {expected} to {sequence - 1} in '{segment.Path}' (damaged)."));
                    }

                    ApplyRecovered(segment.Path, position, type, sequence, reader.Body, snapshotSequence, ref expected, new RecordLocation(records, position, reader.Record.Length));
                    expected = sequence + 1;
                }

                position = reader.Position;
            }
            else
            {
                position += 8;
            }
        }

        Recovery.Notes.Add($"Salvaged what verified after offset {damagedAt} of '{segment.Path}'; the file is set aside once rewritten.");
        return (damageEnd, SegmentEnding.Damaged);
    }

    /// <summary>
    /// Whether a record after the damage proves the damaged data had been made durable: a batch commit whose
    /// durable-through sequence reaches it, or a segment end (written only after a flush of everything before it).
    /// </summary>
    private static bool HasDurableRecordAfter(LogFileReader reader, long from, long end, ulong expected, bool legacy)
    {
        for (var position = from; position < end;)
        {
            reader.Seek(position);
            if (reader.Next(out var type, out var sequence) == RecordCheck.Valid)
            {
                if (legacy ? sequence >= expected
                    : (type == RecordType.BatchCommit && reader.Body.Length == LogFormat.CommitBodySize && LogFormat.ReadCommit(reader.Body).DurableThrough >= expected)
                        || (type == RecordType.SegmentEnd && sequence >= expected - 1))
                {
                    return true;
                }

                position = reader.Position;
            }
            else
            {
                position += 8;
            }
        }

        return false;
    }

    private void ApplyRecovered(string path, long offset, RecordType type, ulong sequence, ReadOnlySpan<byte> body, ulong snapshotSequence, ref ulong expected, RecordLocation location)
    {
        if (sequence <= snapshotSequence)
        {
            return;
        }

        try
        {
            _state.Replay(type, sequence, body, location);
            Recovery.RecordsReplayed++;
        }
        catch (FormatException ex)
        {
            Corrupt(path, offset, "a record with a valid checksum holds data that cannot be read: " + ex.Message, ref expected, expected);
            Recovery.Notes.Add($"Skipped an unreadable record at offset {offset} of '{path}'.");
        }
    }

    private static void ZeroRange(LogFile file, long from, long to)
    {
        var zeros = new byte[(int)Math.Min(1024 * 1024, to - from)];
        for (var position = from; position < to; position += zeros.Length)
        {
            file.Write(zeros.AsSpan(0, (int)Math.Min(zeros.Length, to - position)), position);
        }

        file.Flush();
    }

    private void CompleteRoll(string path, long end, ulong nextFirstSequence)
    {
        using var file = _files.Open(path, createNew: false);
        Span<byte> record = stackalloc byte[LogFormat.SegmentEndSize];
        LogFormat.WriteSegmentEnd(record, nextFirstSequence);
        file.Write(record, end);
        file.Flush();
    }

    /// <summary>Strict: throws. Lenient: notes the problem and lets recovery go on (moving the expected sequence on).</summary>
    private void Corrupt(string path, long offset, string detail, ref ulong expected, ulong continueAt)
    {
        if (_options.CorruptionHandling == CorruptionHandling.Strict)
        {
            throw new DeadLetterStoreCorruptedException(path, offset, detail);
        }

        Recovery.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Corruption in '{path}' at offset {offset}: {detail}."));
        if (continueAt > expected)
        {
            Recovery.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Lost records {expected} to {continueAt - 1}."));
        }

        expected = Math.Max(expected, continueAt);
        Recovery.NeedsRewrite = true;
    }

    /// <summary>
    /// Loads the newest snapshot that verifies, by the sequence in its header (not its name). In lenient mode, when
    /// none verifies, the records of the newest that still verify are kept.
    /// </summary>
    private ulong LoadNewestSnapshot(out string? damaged)
    {
        damaged = null;
        var snapshots = new List<(string Path, LogHeader Header, long Length)>();
        Span<byte> bytes = stackalloc byte[LogFormat.HeaderSize];
        foreach (var path in Directory.GetFiles(_directory, "snap-*.bin"))
        {
            using var file = _files.Open(path, createNew: false);
            var read = LogFileReader.ReadAt(file, bytes, 0);
            if (LogFormat.TryReadHeader(bytes[..read], snapshot: true, out var header))
            {
                snapshots.Add((path, header, file.Length));
            }
            else
            {
                damaged ??= path;
                Recovery.DamagedFiles.Add(path);
                Recovery.Notes.Add($"Ignored snapshot '{path}', whose header is damaged.");
            }
        }

        snapshots.Sort((a, b) => b.Header.Sequence.CompareTo(a.Header.Sequence));
        foreach (var (path, header, length) in snapshots)
        {
            if (header.Version != (_state.HasSnapshotIndex ? LogFormat.IndexedSnapshotVersion : LogFormat.Version))
            {
                // An older format (1, or 2 without the index section) is read, then rewritten in the current one.
                Recovery.NeedsRewrite = true;
            }

            if (ReplaySnapshot(path, header, length, salvage: false))
            {
                return header.Sequence;
            }

            _state.Reset();
            RetireSnapshotReader();
            damaged ??= path;
            Recovery.DamagedFiles.Add(path);
            Recovery.Notes.Add($"Ignored snapshot '{path}', which does not verify.");
        }

        if (_options.CorruptionHandling == CorruptionHandling.Lenient && snapshots.Count > 0)
        {
            var (path, header, length) = snapshots[0];
            ReplaySnapshot(path, header, length, salvage: true);
            Recovery.NeedsRewrite = true;
            Recovery.Notes.Add($"Salvaged the records of damaged snapshot '{path}' that verify.");
            return header.Sequence;
        }

        return 0;
    }

    private void RetireSnapshotReader()
    {
        _snapshotFile?.Retire();
        _snapshotFile = null;
    }

    private bool ReplaySnapshot(string path, LogHeader header, long length, bool salvage)
    {
        using var file = _files.Open(path, createNew: false);
        RetireSnapshotReader();
        var records = _snapshotFile = new RecordFile(path, _files.OpenRead(path));
        if (header.Version == LogFormat.IndexedSnapshotVersion && !salvage)
        {
            if (ReplaySnapshotIndex(file, header, length, records, out var damagedAt))
            {
                return true;
            }

            // The records may all be sound: damage in the index section is still damage in a durable file.
            if (_options.CorruptionHandling == CorruptionHandling.Strict)
            {
                throw new DeadLetterStoreCorruptedException(path, damagedAt, "the snapshot's index section does not verify");
            }

            _state.Reset();
            Recovery.NeedsRewrite = true;
            Recovery.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"The index section of snapshot '{path}' does not verify at offset {damagedAt}: read its records instead."));
        }

        var reader = new LogFileReader(file, header.Size, length, header.MaxRecordLength);
        ulong expected = 1;
        while (reader.Position < length)
        {
            var position = reader.Position;
            var check = reader.Next(out var type, out var sequence);
            if (check == RecordCheck.Valid && (salvage || sequence == expected))
            {
                if (type == RecordType.SnapshotEnd)
                {
                    return salvage || (reader.Body.Length == 8 && System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(reader.Body) == expected - 1);
                }

                try
                {
                    _state.Replay(type, header.Sequence, reader.Body, new RecordLocation(records, position, reader.Record.Length));
                }
                catch (FormatException) when (salvage)
                {
                }
                catch (FormatException)
                {
                    return false;
                }

                expected++;
                continue;
            }

            if (!salvage)
            {
                return false;
            }

            reader.Seek(position + 8);
        }

        return salvage;
    }

    /// <summary>
    /// Replays a format 3 snapshot from its index section: the record at the end of the file says where the section
    /// starts; every index record must verify, follow in sequence, and describe every entry, or nothing is taken.
    /// </summary>
    private bool ReplaySnapshotIndex(LogFile file, LogHeader header, long length, RecordFile records, out long damagedAt)
    {
        var endSize = LogFormat.SnapshotIndexEndSize;
        damagedAt = Math.Max(header.Size, length - endSize);
        if (length < header.Size + endSize)
        {
            return false;
        }

        var tail = new byte[endSize];
        if (LogFileReader.ReadAt(file, tail, length - endSize) != endSize
            || LogFormat.CheckRecord(tail, header.MaxRecordLength, out var type, out var endSequence, out var body, out var size) != RecordCheck.Valid
            || type != RecordType.SnapshotIndexEnd || size != endSize || body.Length != LogFormat.SnapshotIndexEndBodySize)
        {
            return false;
        }

        var start = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(body);
        var indexRecords = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);
        var entries = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(body[16..]);
        if (start < header.Size || start > length - endSize || endSequence != entries + 2 + indexRecords)
        {
            return false;
        }

        var reader = new LogFileReader(file, start, length - endSize, header.MaxRecordLength);
        _state.SnapshotIndexStarting((long)Math.Min(entries, int.MaxValue));
        var expected = entries + 2;
        ulong applied = 0;
        while (reader.Position < length - endSize)
        {
            damagedAt = reader.Position;
            if (reader.Next(out type, out var sequence) != RecordCheck.Valid || type != RecordType.SnapshotIndex || sequence != expected)
            {
                return false;
            }

            try
            {
                applied += (ulong)_state.ReplaySnapshotIndex(reader.Body, header.Sequence, records);
            }
            catch (FormatException)
            {
                return false;
            }

            expected++;
        }

        damagedAt = length - endSize;
        return expected == endSequence && applied == entries;
    }

    private static bool IsData(RecordType type) => type is not (RecordType.BatchCommit or RecordType.SegmentEnd or RecordType.SnapshotEnd);

    private static ulong? ParseSequence(string path, string prefix)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    private sealed record SegmentFile(string Path, LogHeader Header, long Length, bool IsEmpty);
}
