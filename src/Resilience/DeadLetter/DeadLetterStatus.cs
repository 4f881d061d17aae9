namespace Resilience.DeadLetter;

/// <summary>
/// Where a dead-lettered operation stands.
/// </summary>
public enum DeadLetterStatus
{
    /// <summary>Waiting for its next attempt (or for a replay, once its attempts are used up).</summary>
    Pending = 0,

    /// <summary>An attempt is running now. After a crash, such entries go back to <see cref="Pending"/>.</summary>
    Retrying = 1,

    /// <summary>An attempt succeeded; the entry is kept until retention removes it.</summary>
    Recovered = 2,

    /// <summary>Every attempt failed (or the failure was not retryable); only a replay brings it back.</summary>
    Exhausted = 3,

    /// <summary>An operator discarded it; kept until retention removes it.</summary>
    Discarded = 4,

    /// <summary>
    /// An operator archived it: out of summaries, queries (unless asked for), replays and retries until restored,
    /// kept until <see cref="DeadLetterQueueOptions.ArchiveRetention"/> removes it.
    /// </summary>
    Archived = 5,
}
