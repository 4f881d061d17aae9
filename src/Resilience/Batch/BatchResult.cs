namespace Resilience.Batch;

/// <summary>
/// What a batch did: the items that succeeded and those that failed, each in input order, and where it stopped when
/// it was cancelled.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public sealed class BatchResult<TItem, TResult>
{
    internal BatchResult(IReadOnlyList<BatchItemSuccess<TItem, TResult>> succeeded, IReadOnlyList<BatchItemFailure<TItem>> failed, int startedCount, bool isCanceled)
    {
        Succeeded = succeeded;
        Failed = failed;
        StartedCount = startedCount;
        IsCanceled = isCanceled;
    }

    /// <summary>Gets the items that succeeded, with their results, in input order.</summary>
    public IReadOnlyList<BatchItemSuccess<TItem, TResult>> Succeeded { get; }

    /// <summary>Gets the items that failed, in input order; with <see cref="BatchCancellationMode.CancelRunning"/>, items cancelled while running are here too.</summary>
    public IReadOnlyList<BatchItemFailure<TItem>> Failed { get; }

    /// <summary>
    /// Gets how many items were started. The input's items from this position on were neither read nor started (the
    /// batch stopped reading when it was cancelled), so a caller resumes by skipping this many.
    /// </summary>
    public int StartedCount { get; }

    /// <summary>Gets a value indicating whether the batch stopped early because its token was cancelled.</summary>
    public bool IsCanceled { get; }

    /// <summary>Gets a value indicating whether every item was started and succeeded.</summary>
    public bool AllSucceeded => Failed.Count == 0 && !IsCanceled;
}
