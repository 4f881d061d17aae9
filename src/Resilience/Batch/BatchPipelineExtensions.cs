using Resilience.Batch;
using Resilience.Batch.Internal;
using Resilience.Internal;

namespace Resilience;

/// <summary>
/// Runs many items through a pipeline, each on its own (its own retries, its own breaker decision), and returns the
/// successes and the failures apart instead of stopping at the first failure.
/// </summary>
public static class BatchPipelineExtensions
{
    /// <summary>
    /// Processes every item through the pipeline, <see cref="BatchOptions{TItem}.MaxDegreeOfParallelism"/> at a time,
    /// and returns the successes and the failures, each in input order.
    /// </summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">What processing an item returns.</typeparam>
    /// <param name="pipeline">The pipeline each item runs through.</param>
    /// <param name="items">The items, read lazily, once, in order (and not past a cancellation).</param>
    /// <param name="processItem">Processes one item; it is called again for each retry.</param>
    /// <param name="options">Parallelism, chunking, progress, cancellation mode and dead-lettering; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">
    /// Stops the batch: no new item starts, and running items are cancelled or drained as
    /// <see cref="BatchOptions{TItem}.CancellationMode"/> says. The batch then returns what it did
    /// (<see cref="BatchResult{TItem, TResult}.IsCanceled"/>) rather than throwing.
    /// </param>
    /// <returns>The result; it completes once every started item is done (and dead-lettered, when configured).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/>, <paramref name="items"/> or <paramref name="processItem"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static ValueTask<BatchResult<TItem, TResult>> ExecuteBatchAsync<TItem, TResult>(
        this ResiliencePipeline pipeline,
        IEnumerable<TItem> items,
        Func<TItem, CancellationToken, ValueTask<TResult>> processItem,
        BatchOptions<TItem>? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(processItem);
        options = Validate(options);
        return new BatchRunner<TItem, TResult>(pipeline, items, options, cancellationToken)
            .RunAsync(() => new AsyncBatchItemProcessor<TItem, TResult>(processItem));
    }

    /// <summary>
    /// Processes every item through the pipeline's synchronous path, <see cref="BatchOptions{TItem}.MaxDegreeOfParallelism"/>
    /// at a time (on thread-pool threads beyond the first), and returns the successes and the failures, each in input order.
    /// </summary>
    /// <typeparam name="TItem">The item type.</typeparam>
    /// <typeparam name="TResult">What processing an item returns.</typeparam>
    /// <param name="pipeline">The pipeline each item runs through.</param>
    /// <param name="items">The items, read lazily, once, in order.</param>
    /// <param name="processItem">Processes one item; it is called again for each retry.</param>
    /// <param name="options">Parallelism, chunking, progress, cancellation mode and dead-lettering; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the batch, as for <see cref="ExecuteBatchAsync{TItem, TResult}"/>.</param>
    /// <returns>The result, once every started item is done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/>, <paramref name="items"/> or <paramref name="processItem"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static BatchResult<TItem, TResult> ExecuteBatch<TItem, TResult>(
        this ResiliencePipeline pipeline,
        IEnumerable<TItem> items,
        Func<TItem, CancellationToken, TResult> processItem,
        BatchOptions<TItem>? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(processItem);
        options = Validate(options);
        var pending = new BatchRunner<TItem, TResult>(pipeline, items, options, cancellationToken)
            .RunAsync(() => new SyncBatchItemProcessor<TItem, TResult>(processItem));

        // With one worker and a synchronous pipeline this completed on this thread; otherwise it waits for the others.
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
    }

    private static BatchOptions<TItem> Validate<TItem>(BatchOptions<TItem>? options)
    {
        if (options is null)
        {
            return new BatchOptions<TItem>();
        }

        OptionGuard.InRange(options.MaxDegreeOfParallelism, 1, BatchConstants.MaxDegreeOfParallelism, "BatchOptions.MaxDegreeOfParallelism");
        if (options.ChunkSize is { } chunk)
        {
            OptionGuard.InRange(chunk, 1, int.MaxValue, "BatchOptions.ChunkSize");
        }

        if (options.CancellationMode is not (BatchCancellationMode.CancelRunning or BatchCancellationMode.DrainRunning))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CancellationMode, $"BatchOptions.CancellationMode must be CancelRunning or DrainRunning; it was {options.CancellationMode}.");
        }

        if (options.DeadLetterQueue is not null)
        {
            if (string.IsNullOrEmpty(options.DeadLetterOperationType))
            {
                throw new ArgumentException("BatchOptions.DeadLetterOperationType must be set when BatchOptions.DeadLetterQueue is.", nameof(options));
            }

            _ = OptionGuard.NotNull(options.PayloadTypeInfo, "BatchOptions.PayloadTypeInfo");
        }

        return options;
    }
}
