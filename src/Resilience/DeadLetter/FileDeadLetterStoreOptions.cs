using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// Options of the <see cref="FileDeadLetterStore"/>: where it lives and how it writes.
/// </summary>
public sealed class FileDeadLetterStoreOptions
{
    /// <summary>Gets or sets the directory of the store; created if missing. One process owns it at a time.</summary>
    /// <value>There is no default: it must be set.</value>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Gets or sets when a write is acknowledged.</summary>
    /// <value>The default value is <see cref="DurabilityMode.Always"/>.</value>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Always;

    /// <summary>Gets or sets how often <see cref="DurabilityMode.Interval"/> flushes to disk.</summary>
    /// <value>The default value is 10 milliseconds.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets what opening does with a corrupt record that is not a torn tail.</summary>
    /// <value>The default value is <see cref="CorruptionHandling.Strict"/>.</value>
    public CorruptionHandling CorruptionHandling { get; set; } = CorruptionHandling.Strict;

    /// <summary>Gets or sets the size at which a segment file is closed and a new one started.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long SegmentSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the log size (since the last snapshot) above which compaction is considered; it runs when more than half of the log is dead.</summary>
    /// <value>The default value is 16 MiB.</value>
    public long CompactionThreshold { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Gets or sets the largest payload accepted, in bytes, at most <see cref="DeadLetterLimits.MaxPayloadBytes"/>. It
    /// only limits writes: reading never depends on it, so lowering it never hides entries already stored.
    /// </summary>
    /// <value>The default value is 1 MiB.</value>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets the most bytes the store's files (segments and snapshot) may hold. A write that would grow past it
    /// is refused with <see cref="DeadLetterQueueFullException"/>; removals are always accepted, and compaction then
    /// reclaims their space.
    /// </summary>
    /// <value>The default value is 8 GiB.</value>
    public long MaxTotalBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how long damaged files that a lenient open set aside (<c>*.corrupt-*</c>) are kept for inspection;
    /// older ones are deleted when the store opens.
    /// </summary>
    /// <value>The default value is 30 days.</value>
    public TimeSpan QuarantineRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets the time source for the flush timer.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the longest a durable batch waits for the callers the previous one released (tests only); null: as
    /// long as the last flush took, at most 2 ms.
    /// </summary>
    internal TimeSpan? MaxGatherWait { get; set; }

    /// <summary>Gets or sets how many acknowledged writes may wait to be applied to memory (tests only: a small bound).</summary>
    internal int MaxWritesWaitingToApply { get; set; } = LogOptions.DefaultMaxHandedOver;
}
