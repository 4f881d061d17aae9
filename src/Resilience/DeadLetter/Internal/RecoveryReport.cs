namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What opening a log found: how much it replayed, what it cut off, what it set aside.
/// </summary>
internal sealed class RecoveryReport
{
    public long RecordsReplayed { get; set; }

    public long TruncatedBytes { get; set; }

    public long QuarantinedBytes { get; set; }

    public ulong SnapshotSequence { get; set; }

    public List<string> Notes { get; } = [];
}
