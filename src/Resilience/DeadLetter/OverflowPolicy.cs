namespace Resilience.DeadLetter;

/// <summary>
/// What a full store does with a new entry.
/// </summary>
public enum OverflowPolicy
{
    /// <summary>Refuse the new entry with a <see cref="DeadLetterQueueFullException"/>.</summary>
    RejectNew = 0,

    /// <summary>Drop the oldest <see cref="DeadLetterStatus.Exhausted"/> entries to make room; refuse if there are none.</summary>
    DropOldestExhausted = 1,
}
