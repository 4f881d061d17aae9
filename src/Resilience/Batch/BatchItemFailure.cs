namespace Resilience.Batch;

/// <summary>
/// An item of a batch that failed after every attempt the pipeline allowed.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
public readonly struct BatchItemFailure<TItem>
{
    /// <summary>Initializes a new instance of the <see cref="BatchItemFailure{TItem}"/> struct.</summary>
    /// <param name="index">The item's position in the input.</param>
    /// <param name="item">The item.</param>
    /// <param name="exception">The failure.</param>
    /// <param name="attempts">How many times the item was processed (0 when the pipeline rejected it before the first attempt).</param>
    /// <param name="deadLetterEntryId">The id of the item's dead letter entry, when it was routed to a queue.</param>
    /// <param name="deadLetterException">Why routing the item to the dead letter queue failed, when it did.</param>
    public BatchItemFailure(int index, TItem item, Exception exception, int attempts, string? deadLetterEntryId = null, Exception? deadLetterException = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Index = index;
        Item = item;
        Exception = exception;
        Attempts = attempts;
        DeadLetterEntryId = deadLetterEntryId;
        DeadLetterException = deadLetterException;
    }

    /// <summary>Gets the item's position in the input (0-based).</summary>
    public int Index { get; }

    /// <summary>Gets the item.</summary>
    public TItem Item { get; }

    /// <summary>Gets the failure: the last attempt's exception, a rejection, or <see cref="OperationCanceledException"/>.</summary>
    public Exception Exception { get; }

    /// <summary>Gets how many times the item was processed (0 when a strategy rejected it before the first attempt).</summary>
    public int Attempts { get; }

    /// <summary>Gets the id of the item's dead letter entry, or <see langword="null"/> when it was not routed to a queue.</summary>
    public string? DeadLetterEntryId { get; }

    /// <summary>Gets why adding the item to the dead letter queue failed, or <see langword="null"/>.</summary>
    public Exception? DeadLetterException { get; }

    /// <summary>Gets a value indicating whether the failure is the batch's cancellation rather than the item's own failure.</summary>
    public bool IsCanceled => Exception is OperationCanceledException;
}
