namespace Resilience.DeadLetter;

/// <summary>
/// An operator's action on every entry matching a filter, for <see cref="DeadLetterQueue.CountMatching"/> (a dry run).
/// </summary>
public enum DeadLetterBulkAction
{
    /// <summary><see cref="DeadLetterQueue.ReplayMatchingAsync"/>.</summary>
    Replay = 0,

    /// <summary><see cref="DeadLetterQueue.DiscardMatchingAsync"/>.</summary>
    Discard = 1,

    /// <summary><see cref="DeadLetterQueue.ArchiveMatchingAsync"/>.</summary>
    Archive = 2,

    /// <summary><see cref="DeadLetterQueue.RestoreMatchingAsync"/>.</summary>
    Restore = 3,
}
