using System.Buffers.Binary;

namespace Resilience.DeadLetter.Internal;

internal sealed partial class SegmentLog
{
    private const int MaxSegmentsBeforeCompaction = 8;

    private readonly Lock _compactionLock = new();
    private readonly List<LogWriteRequest> _deferredCompactions = [];
    private Task? _compaction;
    private int _compactionCount;

    /// <summary>Gets how many compactions finished since the log was opened.</summary>
    public int CompactionCount => Volatile.Read(ref _compactionCount);

    private bool ShouldCompact()
    {
        lock (_fileLock)
        {
            var segmentBytes = Interlocked.Read(ref _segmentBytes);
            return (segmentBytes > _options.CompactionThreshold && segmentBytes > 2 * _state.LiveBytes)
                || _segments.Count > MaxSegmentsBeforeCompaction
                || (TotalBytes > _options.MaxTotalBytes / 2 && segmentBytes > _state.LiveBytes);
        }
    }

    private void RequestCompactionIfIdle()
    {
        lock (_compactionLock)
        {
            if (_compaction is not null)
            {
                return;
            }
        }

        _ = CompactAsync();
    }

    /// <summary>
    /// Runs on the writer right after a batch was applied: rolls to a fresh segment (unless the current one is still
    /// empty) and captures the state, then writes the snapshot and deletes the covered segments on another thread
    /// while appends go on. Requests that arrive while a compaction runs are served by the next one, which starts
    /// when this one ends, so each covers every write queued before it.
    /// </summary>
    private void StartCompaction(List<LogWriteRequest> requests)
    {
        lock (_compactionLock)
        {
            if (_compaction is not null)
            {
                _deferredCompactions.AddRange(requests);
                return;
            }

            ulong covered;
            int boundary;
            IEnumerable<EncodedRecord> snapshot;
            try
            {
                lock (_fileLock)
                {
                    if (_fault is not null)
                    {
                        throw Faulted(_fault);
                    }

                    if (_segmentLength > LogFormat.HeaderSize)
                    {
                        try
                        {
                            RollSegment_NeedsLock(0);
                        }
                        catch (Exception ex)
                        {
                            _fault = ex;
                            CloseSegmentOnFault_NeedsLock();
                            throw;
                        }
                    }

                    covered = _nextSequence - 1;
                    boundary = _segments.Count - 1;
                }

                snapshot = _state.CaptureSnapshot();
            }
#pragma warning disable CA1031 // The failure belongs to the callers that asked for the compaction.
            catch (Exception ex)
            {
                foreach (var request in requests)
                {
                    request.TrySetException(ex);
                }

                return;
            }
#pragma warning restore CA1031

            if (boundary == 0 && Recovery.SnapshotSequence == covered && !Recovery.NeedsRewrite)
            {
                // Nothing is older than the current segment and the snapshot already covers everything: no-op.
                foreach (var request in requests)
                {
                    request.TrySetResult();
                }

                return;
            }

            _compaction = Task.Run(() => RunCompaction(covered, snapshot, requests));
        }
    }

    private void RunCompaction(ulong covered, IEnumerable<EncodedRecord> snapshot, List<LogWriteRequest> requests)
    {
        Exception? failure = null;
        try
        {
            InstallSnapshot(covered, snapshot);
            Interlocked.Increment(ref _compactionCount);
        }
#pragma warning disable CA1031 // A failed compaction leaves the log as it was (old segments stay); the callers get the failure.
        catch (Exception ex)
        {
            failure = ex;
            lock (Recovery.Notes)
            {
                Recovery.Notes.Add("Compaction failed: " + ex.Message);
            }
        }
#pragma warning restore CA1031

        foreach (var request in requests)
        {
            if (failure is null)
            {
                request.TrySetResult();
            }
            else
            {
                request.TrySetException(failure);
            }
        }

        List<LogWriteRequest> deferred;
        lock (_compactionLock)
        {
            _compaction = null;
            deferred = [.. _deferredCompactions];
            _deferredCompactions.Clear();
        }

        if (deferred.Count > 0)
        {
            // The writer takes the next boundary: these go back in line as one compaction request.
            var next = LogWriteRequest.Rent(_requests, [], null, null, isCompaction: true);
            Enqueue(next).AsTask().ContinueWith(
                static (task, state) =>
                {
                    foreach (var request in (List<LogWriteRequest>)state!)
                    {
                        if (task.IsFaulted)
                        {
                            var inner = task.Exception!.InnerExceptions;
                            request.TrySetException(inner.Count == 1 ? inner[0] : task.Exception);
                        }
                        else
                        {
                            request.TrySetResult();
                        }
                    }
                },
                deferred,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task WaitForCompactionAsync()
    {
        while (true)
        {
            Task? running;
            lock (_compactionLock)
            {
                running = _compaction;
                if (running is null)
                {
                    foreach (var request in _deferredCompactions)
                    {
                        request.TrySetException(new ObjectDisposedException(nameof(SegmentLog), $"The {_options.Description} closed before the compaction ran."));
                    }

                    _deferredCompactions.Clear();
                    return;
                }
            }

            await running.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes a file the snapshot made obsolete; a damaged one is kept for inspection under another name instead (the
    /// snapshot holds whatever in it verified).
    /// </summary>
    private void Retire(string path)
    {
        if (Recovery.DamagedFiles.Remove(path))
        {
            _files.Move(path, path + ".corrupt-" + _options.TimeProvider.GetUtcNow().UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            _files.Delete(path);
        }
    }

    /// <summary>
    /// Writes the snapshot, moves the state's record locations into it, and only then deletes the files it covers (and
    /// closes their handles once no read is using them).
    /// </summary>
    private void InstallSnapshot(ulong covered, IEnumerable<EncodedRecord> records)
    {
        var snapshot = WriteSnapshot(covered, records);
        RecordFile? previous;
        lock (_fileLock)
        {
            previous = _snapshotFile;
            _snapshotFile = snapshot;
        }

        try
        {
            _state.SnapshotWritten(records, snapshot);
            DeleteCovered(covered);
        }
        finally
        {
            previous?.Retire();
        }
    }

    /// <summary>
    /// Writes the snapshot to a temporary file, flushes it, renames it into place and flushes the directory. Until
    /// the rename the old segments are intact; after it, records already in the snapshot are skipped by sequence.
    /// </summary>
    private RecordFile WriteSnapshot(ulong covered, IEnumerable<EncodedRecord> records)
    {
        var temporary = SnapshotPath(covered, "tmp");
        var final = SnapshotPath(covered, "bin");
        long length;
        using (var file = _files.Open(temporary, createNew: true))
        {
            var buffer = new byte[1024 * 1024];
            var indexed = _state.HasSnapshotIndex;
            LogFormat.WriteHeader(buffer, snapshot: true, covered, capacity: 0, indexed);
            var used = LogFormat.HeaderSize;
            long offset = 0;
            ulong sequence = 1;

            // Returns where in the file the bytes land.
            long Append(LogFile target, ReadOnlySpan<byte> bytes)
            {
                if (used + bytes.Length > buffer.Length)
                {
                    target.Write(buffer.AsSpan(0, used), offset);
                    offset += used;
                    used = 0;
                    if (bytes.Length > buffer.Length)
                    {
                        target.Write(bytes, offset);
                        offset += bytes.Length;
                        return offset - bytes.Length;
                    }
                }

                bytes.CopyTo(buffer.AsSpan(used));
                used += bytes.Length;
                return offset + used - bytes.Length;
            }

            foreach (var record in records)
            {
                try
                {
                    record.Offset = Append(file, record.Seal(sequence++));
                }
                finally
                {
                    record.Release();
                }
            }

            var end = EncodedRecord.Create(RecordType.SnapshotEnd, 8);
            var entries = sequence - 1;
            BinaryPrimitives.WriteUInt64LittleEndian(end.Body, entries);
            Append(file, end.Seal(sequence));
            end.Release();
            if (indexed)
            {
                // Format 3: the index section, then the record that finds it (last in the file, of a fixed size).
                var indexStart = offset + used;
                ulong indexRecords = 0;
                foreach (var record in _state.SnapshotIndex(records))
                {
                    try
                    {
                        Append(file, record.Seal(++sequence));
                        indexRecords++;
                    }
                    finally
                    {
                        record.Release();
                    }
                }

                var indexEnd = EncodedRecord.Create(RecordType.SnapshotIndexEnd, LogFormat.SnapshotIndexEndBodySize);
                BinaryPrimitives.WriteInt64LittleEndian(indexEnd.Body, indexStart);
                BinaryPrimitives.WriteUInt64LittleEndian(indexEnd.Body[8..], indexRecords);
                BinaryPrimitives.WriteUInt64LittleEndian(indexEnd.Body[16..], entries);
                Append(file, indexEnd.Seal(++sequence));
                indexEnd.Release();
            }

            file.Write(buffer.AsSpan(0, used), offset);
            length = offset + used;
            file.Flush();
        }

        if (Recovery.DamagedFiles.Remove(final) && File.Exists(final))
        {
            // A log rewritten after a salvage with nothing after the damaged snapshot covers the same sequence, so it
            // takes the damaged file's name. Setting that file aside later (as other damaged files are) would take the
            // new snapshot with it; moving it aside now would leave a crash before the rename below with no snapshot.
            // So it is kept for inspection as a copy, and replaced in one rename.
            File.Copy(final, final + ".corrupt-" + _options.TimeProvider.GetUtcNow().UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), overwrite: true);
        }

        _files.Move(temporary, final);
        _files.FlushDirectory(_directory);
        Interlocked.Exchange(ref _snapshotBytes, length);
        Recovery.SnapshotSequence = covered;
        Recovery.NeedsRewrite = false;
        return new RecordFile(final, _files.OpenRead(final));
    }

    /// <summary>Deletes, oldest first, the segments and snapshots the new snapshot covers, so what is left stays contiguous.</summary>
    private void DeleteCovered(ulong covered)
    {
        List<LogSegment> old;
        lock (_fileLock)
        {
            old = _segments.TakeWhile(s => s.FirstSequence <= covered).ToList();
            _segments.RemoveRange(0, old.Count);
        }

        foreach (var segment in old)
        {
            Retire(segment.Path);
            segment.Reader?.Retire();
            Interlocked.Add(ref _segmentBytes, -segment.UsedBytes);
        }

        foreach (var path in Directory.GetFiles(_directory, "snap-*.bin"))
        {
            if (!string.Equals(path, SnapshotPath(covered, "bin"), StringComparison.Ordinal))
            {
                Retire(path);
            }
        }

        foreach (var path in Recovery.DamagedFiles.ToList())
        {
            if (File.Exists(path))
            {
                Retire(path);
            }
        }

        _files.FlushDirectory(_directory);
    }
}
