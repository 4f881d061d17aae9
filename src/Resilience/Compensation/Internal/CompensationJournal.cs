using Resilience.DeadLetter.Internal;

namespace Resilience.Compensation.Internal;

/// <summary>
/// The durable record of named compensations, on the dead letter queue's log engine (checksummed segments, group
/// commit, crash recovery, compaction): which steps each operation registered (with their serialized state), which
/// were compensated, and which operations completed or finished rolling back.
/// </summary>
internal sealed class CompensationJournal : ILogStateMachine, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JournaledOperation> _operations = new(StringComparer.Ordinal);
    private SegmentLog _log = null!;
    private long _liveBytes;

    long ILogStateMachine.LiveBytes => Interlocked.Read(ref _liveBytes);

    public static CompensationJournal Open(string directory, TimeProvider timeProvider)
    {
        var journal = new CompensationJournal();
        journal._log = SegmentLog.Open(new LogOptions { Directory = directory, TimeProvider = timeProvider, Description = "compensation journal" }, LogFileSystem.Default, journal);
        return journal;
    }

    public IReadOnlyList<JournaledOperation> Unfinished()
    {
        lock (_lock)
        {
            return [.. _operations.Values.Select(o => o.Copy())];
        }
    }

    public Task RegisterAsync(string operationId, int index, string handler, byte[] state)
    {
        var record = EncodeRegister(operationId, index, handler, state);
        var size = record.Size;
        return _log.AppendAsync([record], _ => ApplyRegister(operationId, index, handler, state, size), grows: true);
    }

    public Task StepDoneAsync(string operationId, int index)
        => _log.AppendAsync([EncodeStepDone(operationId, index)], _ => ApplyStepDone(operationId, index));

    public Task EndAsync(string operationId, bool completed)
    {
        var record = EncodedRecord.Create(completed ? RecordType.CompensationComplete : RecordType.CompensationCompensated, RecordCodec.StringSize(operationId));
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        return _log.AppendAsync([record], _ => ApplyEnd(operationId));
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    void ILogStateMachine.Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body)
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

            foreach (var index in operation.Done)
            {
                records.Add(EncodeStepDone(operation.Id, index));
            }
        }

        return records;
    }

    private static EncodedRecord EncodeRegister(string operationId, int index, string handler, byte[] state)
    {
        var record = EncodedRecord.Create(RecordType.CompensationRegister, RecordCodec.StringSize(operationId) + 4 + RecordCodec.StringSize(handler) + 4 + state.Length);
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteInt32(index);
        writer.WriteString(handler);
        writer.WriteInt32(state.Length);
        writer.WriteBytes(state);
        return record;
    }

    private static EncodedRecord EncodeStepDone(string operationId, int index)
    {
        var record = EncodedRecord.Create(RecordType.CompensationStepDone, RecordCodec.StringSize(operationId) + 4);
        var writer = new RecordCodec.SpanWriter(record.Body);
        writer.WriteString(operationId);
        writer.WriteInt32(index);
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

/// <summary>An operation the journal shows as started and not finished.</summary>
internal sealed class JournaledOperation(string id)
{
    public string Id { get; } = id;

    public SortedDictionary<int, (string Handler, byte[] State)> Steps { get; } = [];

    public HashSet<int> Done { get; } = [];

    public long Bytes { get; set; }

    public JournaledOperation Copy()
    {
        var copy = new JournaledOperation(Id) { Bytes = Bytes };
        foreach (var step in Steps)
        {
            copy.Steps[step.Key] = step.Value;
        }

        copy.Done.UnionWith(Done);
        return copy;
    }
}
