using Resilience.DeadLetter;

namespace Resilience.Compensation;

/// <summary>
/// How the compensation journal writes (<see cref="CompensationOptions.JournalDirectory"/> says where). The journal
/// runs on the same log engine as the file dead letter store, with its own record types, so its on-disk limits are
/// the engine's format constants, never these options.
/// </summary>
public sealed class CompensationJournalOptions
{
    /// <summary>
    /// Gets or sets when a journal write is acknowledged. Only <see cref="DurabilityMode.Always"/> makes a registration
    /// durable before <see cref="CompensationScope.RegisterAsync{TState}"/> returns, which is what recovery relies on.
    /// </summary>
    /// <value>The default value is <see cref="DurabilityMode.Always"/>.</value>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Always;

    /// <summary>Gets or sets how often <see cref="DurabilityMode.Interval"/> flushes to disk.</summary>
    /// <value>The default value is 10 milliseconds.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets what opening does with a corrupt record that is not a torn tail.</summary>
    /// <value>The default value is <see cref="CorruptionHandling.Strict"/>.</value>
    public CorruptionHandling CorruptionHandling { get; set; } = CorruptionHandling.Strict;

    /// <summary>Gets or sets the size at which a journal segment file is closed and a new one started.</summary>
    /// <value>The default value is 64 MiB. It must be at least 4096 bytes.</value>
    public long SegmentSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the journal size (since the last snapshot) above which compaction is considered; it runs when more than half of the journal is dead.</summary>
    /// <value>The default value is 16 MiB. It must be at least 4096 bytes.</value>
    public long CompactionThreshold { get; set; } = 16L * 1024 * 1024;
}
