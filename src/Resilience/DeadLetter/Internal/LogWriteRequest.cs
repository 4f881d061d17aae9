namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Records waiting for the writer loop, and what to do once they are durable. Completes when they are.
/// </summary>
internal sealed class LogWriteRequest : TaskCompletionSource
{
    public LogWriteRequest(IReadOnlyList<EncodedRecord> records, Action? onDurable)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Records = records;
        OnDurable = onDurable;
        foreach (var record in records)
        {
            Size += record.Size;
        }
    }

    public IReadOnlyList<EncodedRecord> Records { get; }

    public Action? OnDurable { get; }

    public long Size { get; }

    public void ReleaseRecords()
    {
        foreach (var record in Records)
        {
            record.Release();
        }
    }
}
