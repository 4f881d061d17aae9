namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Records waiting for the writer, and what to apply once they are durable. Completes when they are applied, or for a
/// compaction request, when the compaction it asked for is done.
/// </summary>
internal sealed class LogWriteRequest : TaskCompletionSource
{
    public LogWriteRequest(IReadOnlyList<EncodedRecord> records, Action<ulong>? onDurable, bool isCompaction = false)
        : this(records, onDurable is null ? null : static (first, state) => ((Action<ulong>)state!)(first), onDurable, isCompaction)
    {
    }

    public LogWriteRequest(IReadOnlyList<EncodedRecord> records, Action<ulong, object?>? onDurable, object? state, bool isCompaction = false)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Records = records;
        OnDurable = onDurable;
        State = state;
        IsCompaction = isCompaction;
        foreach (var record in records)
        {
            Size += record.Size;
        }
    }

    public IReadOnlyList<EncodedRecord> Records { get; }

    /// <summary>Gets what applies the records to memory, given the sequence number of the first; runs in log order.</summary>
    public Action<ulong, object?>? OnDurable { get; }

    /// <summary>Gets what <see cref="OnDurable"/> is given besides the sequence number (so it can be a static lambda).</summary>
    public object? State { get; }

    public bool IsCompaction { get; }

    public long Size { get; }

    /// <summary>Gets or sets the sequence number the writer gave the first record.</summary>
    public ulong FirstSequence { get; set; }

    public void ReleaseRecords()
    {
        foreach (var record in Records)
        {
            record.Release();
        }
    }
}
