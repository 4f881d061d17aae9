namespace Resilience.DeadLetter;

/// <summary>
/// What <see cref="DeadLetterQueue.SummarizeAsync"/> groups entries by.
/// </summary>
public enum DeadLetterGrouping
{
    /// <summary>By <see cref="DeadLetterEntry.FailureGroup"/>: entries that failed the same way.</summary>
    FailureGroup = 0,

    /// <summary>By <see cref="DeadLetterEntry.OperationType"/>.</summary>
    OperationType = 1,

    /// <summary>By <see cref="DeadLetterError.Reason"/>.</summary>
    Reason = 2,
}
