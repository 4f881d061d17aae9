using System.Text.Json.Serialization.Metadata;
using Resilience.DeadLetter;

namespace Resilience.Batch;

/// <summary>
/// Options of <c>ExecuteBatchAsync</c> and <c>ExecuteBatch</c>: parallelism, chunking, progress, cancellation and
/// where failed items go.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
public sealed class BatchOptions<TItem>
{
    /// <summary>Gets or sets how many items run at once.</summary>
    /// <value>The default value is 1 (one item after another). It must be between 1 and 1024.</value>
    public int MaxDegreeOfParallelism { get; set; } = BatchConstants.DefaultMaxDegreeOfParallelism;

    /// <summary>
    /// Gets or sets how many items form a chunk: the batch reads and runs one chunk, waits until all of its items are
    /// done, then starts the next (so no more than this many items are between read and done at any time).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: one chunk, items are read as workers become free. When set it must be at least 1.</value>
    public int? ChunkSize { get; set; }

    /// <summary>Gets or sets where snapshots of the batch go each time an item starts or finishes.</summary>
    /// <value>The default value is <see langword="null"/> (no reports).</value>
    public IProgress<BatchProgress>? Progress { get; set; }

    /// <summary>Gets or sets what cancelling the batch's token does to the items already running.</summary>
    /// <value>The default value is <see cref="BatchCancellationMode.CancelRunning"/>.</value>
    public BatchCancellationMode CancellationMode { get; set; } = BatchCancellationMode.CancelRunning;

    /// <summary>
    /// Gets or sets the queue each failed item is added to (its payload is the item, serialized with
    /// <see cref="PayloadTypeInfo"/>); a batch returns only once those entries are durable. Items cancelled by the
    /// batch's token are not dead-lettered.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (failures are only returned).</value>
    public DeadLetterQueue? DeadLetterQueue { get; set; }

    /// <summary>Gets or sets the operation type of the dead letter entries (it selects the queue's handler that retries them).</summary>
    /// <value>The default value is <see langword="null"/>; it is required with <see cref="DeadLetterQueue"/>.</value>
    public string? DeadLetterOperationType { get; set; }

    /// <summary>Gets or sets the JSON metadata of an item (from your <c>JsonSerializerContext</c>, so it stays trim- and AOT-safe).</summary>
    /// <value>The default value is <see langword="null"/>; it is required with <see cref="DeadLetterQueue"/>.</value>
    public JsonTypeInfo<TItem>? PayloadTypeInfo { get; set; }
}
