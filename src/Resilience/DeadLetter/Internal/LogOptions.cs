namespace Resilience.DeadLetter.Internal;

/// <summary>
/// What the log engine needs to know, whichever durable component (dead letter store, compensation journal) owns it.
/// </summary>
internal sealed class LogOptions
{
    public required string Directory { get; init; }

    public DurabilityMode Durability { get; init; } = DurabilityMode.Always;

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    public CorruptionHandling CorruptionHandling { get; init; } = CorruptionHandling.Strict;

    public long SegmentSize { get; init; } = 64L * 1024 * 1024;

    public long CompactionThreshold { get; init; } = 16L * 1024 * 1024;

    /// <summary>Gets the most bytes the log's files may hold; writes that would grow past it are refused.</summary>
    public long MaxTotalBytes { get; init; } = long.MaxValue;

    /// <summary>Gets the option name to quote when <see cref="MaxTotalBytes"/> refuses a write.</summary>
    public string MaxTotalBytesOptionName { get; init; } = "MaxTotalBytes";

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets how long files set aside as damaged are kept.</summary>
    public TimeSpan QuarantineRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Gets the longest a durable batch waits for the callers the previous one released; null: as long as the last
    /// flush took, at most 2 ms. Set by tests, so a gather stays open while they look at it.
    /// </summary>
    public TimeSpan? MaxGatherWait { get; init; }

    /// <summary>The default of <see cref="MaxHandedOver"/>: a full batch's worth of requests.</summary>
    public const int DefaultMaxHandedOver = 4096;

    /// <summary>
    /// Gets how many acknowledged requests may wait to be applied (handed over); a batch that would pass it is applied
    /// before it is acknowledged, so a late applier and no reads cannot pile writes up in memory.
    /// </summary>
    public int MaxHandedOver { get; init; } = DefaultMaxHandedOver;

    /// <summary>Gets what the log holds, for messages ("dead letter store", "compensation journal").</summary>
    public string Description { get; init; } = "log";
}
