namespace Resilience.DeadLetter;

/// <summary>
/// When an acknowledged write is safe on disk.
/// </summary>
public enum DurabilityMode
{
    /// <summary>
    /// Every call returns only after its record (and every earlier one) is flushed to the device with fsync.
    /// Concurrent writers share one fsync (group commit). Survives process crashes and power loss.
    /// </summary>
    Always = 0,

    /// <summary>
    /// Calls return once the record is written to the operating system; a background flush runs every
    /// <see cref="FileDeadLetterStoreOptions.FlushInterval"/>. Survives process crashes; a power loss can lose at most
    /// that interval of writes.
    /// </summary>
    Interval = 1,

    /// <summary>
    /// Calls return once the record is written to the operating system; flushing is left to it. Survives process
    /// crashes only.
    /// </summary>
    OsBuffered = 2,
}
