namespace Resilience.Batch;

/// <summary>
/// An item of a batch that succeeded, with its result.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public readonly struct BatchItemSuccess<TItem, TResult>
{
    /// <summary>Initializes a new instance of the <see cref="BatchItemSuccess{TItem, TResult}"/> struct.</summary>
    /// <param name="index">The item's position in the input.</param>
    /// <param name="item">The item.</param>
    /// <param name="result">What processing the item returned.</param>
    /// <param name="attempts">How many times the item was processed (1 when it succeeded first time).</param>
    public BatchItemSuccess(int index, TItem item, TResult result, int attempts)
    {
        Index = index;
        Item = item;
        Result = result;
        Attempts = attempts;
    }

    /// <summary>Gets the item's position in the input (0-based).</summary>
    public int Index { get; }

    /// <summary>Gets the item.</summary>
    public TItem Item { get; }

    /// <summary>Gets what processing the item returned.</summary>
    public TResult Result { get; }

    /// <summary>Gets how many times the item was processed: the pipeline's retries (or hedges) call it again.</summary>
    public int Attempts { get; }
}
