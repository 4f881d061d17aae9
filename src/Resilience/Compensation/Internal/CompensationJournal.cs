using System.Runtime.InteropServices;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;
using Resilience.Internal;

namespace Resilience.Compensation.Internal;

/// <summary>
/// The durable record of named compensations, on the dead letter store's log engine (checksummed segments, group
/// commit, crash recovery, compaction): which steps each operation registered (with their serialized state), where
/// its delegate steps sit, which steps were compensated, who claimed its rollback, where it is parked, and which
/// operations completed or finished rolling back.
/// </summary>
/// <remarks>
/// This is the only file of Compensation that touches the log engine (SegmentLog, LogFormat, EncodedRecord,
/// RecordCodec, ILogStateMachine), so a new engine version is adapted here. Every record changes the in-memory
/// state through one apply function, used both when the record is replayed at open and when it is durable live.
/// One process owns the directory, so claims need no expiry: a claim by an earlier incarnation is stale, and the
/// conditional writes of <see cref="ICompensationJournal"/> always apply.
/// </remarks>
internal sealed class CompensationJournal : ILogStateMachine, ICompensationJournal
{
    /// <summary>
    /// The largest record body the journal writes: room above <see cref="CompensationOptions.MaxStateBytes"/> for the
    /// operation id and handler name, within the log format's own fixed record limit (which is what reading checks,
    /// so reading never depends on configuration).
    /// </summary>
    internal const int MaxRecordBodyBytes = 32 * 1024 * 1024;

    private const RecordType ClaimRecord = RecordType.CompensationClaim;
    private const RecordType ReleaseRecord = RecordType.CompensationRelease;
    private const RecordType ParkedRecord = RecordType.CompensationParked;
    private const RecordType DelegateStepRecord = RecordType.CompensationDelegateStep;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JournaledOperation> _operations = new(StringComparer.Ordinal);
    private SegmentLog _log = null!;
    private long _liveBytes;

    private CompensationJournal()
    {
    }

    long ILogStateMachine.LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>Gets this opening's identity; claims by earlier ones belong to processes that stopped.</summary>
    public string Incarnation { get; } = Guid.NewGuid().ToString("N");

    public static CompensationJournal Open(string directory, CompensationJournalOptions options, TimeProvider timeProvider)
    {
        OptionGuard.NotNull(options, "CompensationOptions.Journal");
        OptionGuard.InRange(options.SegmentSize, 4096, int.MaxValue, "CompensationJournalOptions.SegmentSize");
        OptionGuard.InRange(options.CompactionThreshold, 4096, long.MaxValue, "CompensationJournalOptions.CompactionThreshold");
        if (options.Durability == DurabilityMode.Interval)
        {
            OptionGuard.Positive(options.FlushInterval, "CompensationJournalOptions.FlushInterval");
        }

        var journal = new CompensationJournal();

        // The one call into the engine's options: the journal's own options map onto them here.
        journal._log = SegmentLog.Open(
            new LogOptions
            {
                Directory = directory,
                TimeProvider = timeProvider,
                Durability = options.Durability,
                FlushInterval = options.FlushInterval,
                CorruptionHandling = options.CorruptionHandling,
                SegmentSize = options.SegmentSize,
                CompactionThreshold = options.CompactionThreshold,
                Description = "compensation journal",
            },
            LogFileSystem.Default,
            journal);
        return journal;
    }

    public IReadOnlyList<JournaledOperation> Unfinished()
    {
        lock (_lock)
        {
            return [.. _operations.Values.Select(o => o.Copy())];
        }
    }

    public JournaledOperation? Find(string operationId)
    {
        lock (_lock)
        {
            return _operations.TryGetValue(operationId, out var operation) ? operation.Copy() : null;
        }
    }

    public bool Contains(string operationId)
    {
        lock (_lock)
        {
            return _operations.ContainsKey(operationId);
        }
    }

    /// <summary>Journals a named step. Throws <see cref="ArgumentException"/> (nothing written) when the record is over the bound.</summary>
    public Task RegisterAsync(string operationId, int index, string handler, byte[] state)
    {
        var bodyLength = RegisterBodyLength(operationId, handler, state);
        if (bodyLength > MaxRecordBodyBytes)
        {
            throw new ArgumentException(
                $"The journal record of compensation '{handler}' for operation '{Shorten(operationId)}' would be {bodyLength} bytes; a journal record holds at most {MaxRecordBodyBytes} bytes (state, operation id and handler name together).",
                nameof(operationId));
        }

        var record = EncodeRegister(operationId, index, handler, state);
        var size = record.Size;
        return _log.AppendAsync([record], _ => ApplyRegister(operationId, index, handler, state, size), grows: true);
    }

    public Task DelegateStepAsync(string operationId, int index)
        => _log.AppendAsync([EncodeIndexed(DelegateStepRecord, operationId, index)], _ => ApplyDelegateStep(operationId, index));

    public Task StepDoneAsync(string operationId, int index)
        => _log.AppendAsync([EncodeIndexed(RecordType.CompensationStepDone, operationId, index)], _ => ApplyStepDone(operationId, index));

    /// <summary>
    /// Claims the operation's rollback for this incarnation. The claim is decided in log order by the apply function:
    /// a second claim while this incarnation holds one is refused.
    /// </summary>
    public async ValueTask<CompensationJournalOperation?> TryClaimAsync(string operationId)
    {
        if (Find(operationId) is not { } operation)
        {
            // Nothing to claim: no record is written for an operation the journal does not hold.
            return null;
        }

        var attempt = operation.Attempts + 1;
        var won = false;
        await _log.AppendAsync([EncodeClaim(operationId, Incarnation, attempt)], _ => won = ApplyClaim(operationId, Incarnation, attempt)).ConfigureAwait(false);
        return won ? Find(operationId)?.ToSnapshot() : null;
    }

    public ValueTask<IReadOnlyList<CompensationJournalOperation>> GetUnfinishedAsync()
        => new([.. Unfinished().Select(o => o.ToSnapshot())]);

    public ValueTask<CompensationJournalOperation?> FindAsync(string operationId) => new(Find(operationId)?.ToSnapshot());

    public ValueTask RegisterStepAsync(string operationId, int index, string handlerName, ReadOnlyMemory<byte> state)
        => new(RegisterAsync(operationId, index, handlerName, MemoryMarshal.TryGetArray(state, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : state.ToArray()));

    public ValueTask RegisterDelegateStepAsync(string operationId, int index) => new(DelegateStepAsync(operationId, index));

    public async ValueTask<bool> MarkCompensatedAsync(string operationId, int index)
    {
        await StepDoneAsync(operationId, index).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> EndAsync(string operationId, bool completed)
    {
        await _log.AppendAsync([EncodeOperation(completed ? RecordType.CompensationComplete : RecordType.CompensationCompensated, operationId)], _ => ApplyEnd(operationId)).ConfigureAwait(false);
        return true;
    }

    public ValueTask ReleaseAsync(string operationId)
        => new(_log.AppendAsync([EncodeRelease(operationId, Incarnation)], _ => ApplyRelease(operationId, Incarnation)));

    public ValueTask ParkAsync(string operationId, string entryId)
    {
        var record = EncodedRecord.Create(ParkedRecord, RecordCodec.StringSize(operationId) + RecordCodec.StringSize(entryId));
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteString(entryId);
        return new(_log.AppendAsync([record], _ => ApplyParked(operationId, entryId)));
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    void ILogStateMachine.Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body, RecordLocation location)
    {
        var reader = new RecordCodec.SpanReader(body);
        var operationId = reader.ReadRequiredString();
        switch (type)
        {
            case RecordType.CompensationRegister:
                var index = reader.ReadInt32();
                var handler = reader.ReadRequiredString();
                var state = reader.ReadBytes(reader.ReadInt32()).ToArray();
                ApplyRegister(operationId, index, handler, state, LogFormat.RecordSize(body.Length));
                break;
            case RecordType.CompensationStepDone:
                ApplyStepDone(operationId, reader.ReadInt32());
                break;
            case RecordType.CompensationComplete:
            case RecordType.CompensationCompensated:
                ApplyEnd(operationId);
                break;
            case ClaimRecord:
                var claimant = reader.ReadRequiredString();
                ApplyClaim(operationId, claimant, reader.ReadInt32());
                break;
            case ReleaseRecord:
                ApplyRelease(operationId, reader.ReadRequiredString());
                break;
            case ParkedRecord:
                ApplyParked(operationId, reader.ReadRequiredString());
                break;
            case DelegateStepRecord:
                ApplyDelegateStep(operationId, reader.ReadInt32());
                break;
            default:
                throw new FormatException($"Record type {(byte)type} does not belong in a compensation journal.");
        }
    }

    void ILogStateMachine.Reset()
    {
        lock (_lock)
        {
            _operations.Clear();
            _liveBytes = 0;
        }
    }

    IEnumerable<EncodedRecord> ILogStateMachine.CaptureSnapshot()
    {
        var records = new List<EncodedRecord>();
        foreach (var operation in Unfinished())
        {
            foreach (var (index, step) in operation.Steps)
            {
                records.Add(EncodeRegister(operation.Id, index, step.Handler, step.State));
            }

            foreach (var index in operation.Delegates)
            {
                records.Add(EncodeIndexed(DelegateStepRecord, operation.Id, index));
            }

            foreach (var index in operation.Done)
            {
                records.Add(EncodeIndexed(RecordType.CompensationStepDone, operation.Id, index));
            }

            if (operation.Attempts > 0)
            {
                // The claim's holder is an earlier incarnation after a restart anyway; what matters is the count.
                records.Add(EncodeClaim(operation.Id, operation.ClaimedBy ?? string.Empty, operation.Attempts));
                if (operation.ClaimedBy is null)
                {
                    records.Add(EncodeRelease(operation.Id, string.Empty));
                }
            }

            if (operation.ParkedEntryId is { } entryId)
            {
                var record = EncodedRecord.Create(ParkedRecord, RecordCodec.StringSize(operation.Id) + RecordCodec.StringSize(entryId));
                var writer = new RecordCodec.SpanWriter(record.Body);
                writer.WriteString(operation.Id);
                writer.WriteString(entryId);
                records.Add(record);
            }
        }

        return records;
    }

    private static int RegisterBodyLength(string operationId, string handler, byte[] state)
        => RecordCodec.StringSize(operationId) + 4 + RecordCodec.StringSize(handler) + 4 + state.Length;

    private static string Shorten(string operationId) => operationId.Length <= 64 ? operationId : operationId[..64] + "…";

    private static EncodedRecord EncodeRegister(string operationId, int index, string handler, byte[] state)
    {
        var record = EncodedRecord.Create(RecordType.CompensationRegister, RegisterBodyLength(operationId, handler, state));
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteInt32(index);
        writer.WriteString(handler);
        writer.WriteInt32(state.Length);
        writer.WriteBytes(state);
        return record;
    }

    private static EncodedRecord EncodeOperation(RecordType type, string operationId)
    {
        var record = EncodedRecord.Create(type, RecordCodec.StringSize(operationId));
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        return record;
    }

    private static EncodedRecord EncodeIndexed(RecordType type, string operationId, int index)
    {
        var record = EncodedRecord.Create(type, RecordCodec.StringSize(operationId) + 4);
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteInt32(index);
        return record;
    }

    private static EncodedRecord EncodeClaim(string operationId, string claimant, int attempt)
    {
        var record = EncodedRecord.Create(ClaimRecord, RecordCodec.StringSize(operationId) + RecordCodec.StringSize(claimant) + 4);
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteString(claimant);
        writer.WriteInt32(attempt);
        return record;
    }

    private static EncodedRecord EncodeRelease(string operationId, string claimant)
    {
        var record = EncodedRecord.Create(ReleaseRecord, RecordCodec.StringSize(operationId) + RecordCodec.StringSize(claimant));
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteString(claimant);
        return record;
    }

    private void ApplyRegister(string operationId, int index, string handler, byte[] state, int size)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(operationId, out var operation))
            {
                _operations[operationId] = operation = new JournaledOperation(operationId);
            }

            operation.Steps[index] = (handler, state);
            operation.Bytes += size;
            _liveBytes += size;
        }
    }

    private void ApplyDelegateStep(string operationId, int index)
    {
        lock (_lock)
        {
            if (_operations.TryGetValue(operationId, out var operation))
            {
                operation.Delegates.Add(index);
            }
        }
    }

    private void ApplyStepDone(string operationId, int index)
    {
        lock (_lock)
        {
            if (_operations.TryGetValue(operationId, out var operation))
            {
                operation.Done.Add(index);
            }
        }
    }

    private bool ApplyClaim(string operationId, string claimant, int attempt)
    {
        lock (_lock)
        {
            // A claim held by the same incarnation is live: refuse. A claim by another incarnation is stale, because
            // only one process opens a journal and an earlier opening has ended.
            if (!_operations.TryGetValue(operationId, out var operation) || string.Equals(operation.ClaimedBy, claimant, StringComparison.Ordinal))
            {
                return false;
            }

            operation.ClaimedBy = claimant;
            operation.Attempts = Math.Max(operation.Attempts, attempt);
            return true;
        }
    }

    private void ApplyRelease(string operationId, string claimant)
    {
        lock (_lock)
        {
            if (_operations.TryGetValue(operationId, out var operation) && (claimant.Length == 0 || string.Equals(operation.ClaimedBy, claimant, StringComparison.Ordinal)))
            {
                operation.ClaimedBy = null;
            }
        }
    }

    private void ApplyParked(string operationId, string entryId)
    {
        lock (_lock)
        {
            if (_operations.TryGetValue(operationId, out var operation))
            {
                operation.ParkedEntryId = entryId;
                operation.ClaimedBy = null;
            }
        }
    }

    private void ApplyEnd(string operationId)
    {
        lock (_lock)
        {
            if (_operations.Remove(operationId, out var operation))
            {
                _liveBytes -= operation.Bytes;
            }
        }
    }
}
