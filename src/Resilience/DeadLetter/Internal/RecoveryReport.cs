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

    /// <summary>Gets or sets a value indicating whether the files must be rewritten (damage was salvaged, or they are of an older format).</summary>
    public bool NeedsRewrite { get; set; }

    /// <summary>Gets the damaged files to set aside (renamed, not deleted) once a snapshot holds what verified in them.</summary>
    public HashSet<string> DamagedFiles { get; } = new(StringComparer.Ordinal);

    public List<string> Notes { get; } = [];
}
