namespace Resilience.Batch.Internal;

/// <summary>
/// One worker's reusable state: the item it runs and how many times the pipeline called it for that item. One per
/// worker rather than per item, so running an item allocates nothing of the batch's own.
/// </summary>
internal abstract class BatchItemProcessor<TItem, TResult>
{
    private int _attempts;

    public TItem Item { get; private set; } = default!;

    // Read after the execution is over; hedged attempts may count concurrently while it runs.
    public int Attempts => Volatile.Read(ref _attempts);

    public void Begin(TItem item)
    {
        Item = item;
        _attempts = 0;
    }

    /// <summary>Runs the item through the pipeline; never throws.</summary>
    public abstract ValueTask<Outcome<TResult>> RunAsync(ResiliencePipeline pipeline, CancellationToken cancellationToken);

    // Every call the pipeline makes is an attempt: retries and hedges call the callback again, a rejection never calls it.
    protected void CountAttempt() => Interlocked.Increment(ref _attempts);
}

/// <summary>Runs an asynchronous <c>processItem</c>.</summary>
internal sealed class AsyncBatchItemProcessor<TItem, TResult> : BatchItemProcessor<TItem, TResult>
{
    private readonly Func<TItem, CancellationToken, ValueTask<TResult>> _process;

    public AsyncBatchItemProcessor(Func<TItem, CancellationToken, ValueTask<TResult>> process) => _process = process;

    public override ValueTask<Outcome<TResult>> RunAsync(ResiliencePipeline pipeline, CancellationToken cancellationToken)
        => pipeline.ExecuteOutcomeAsync(
            static (self, ct) =>
            {
                self.CountAttempt();
                return self._process(self.Item, ct);
            },
            this,
            cancellationToken);
}

/// <summary>Runs a synchronous <c>processItem</c> through the pipeline's synchronous path (waits block instead of yielding).</summary>
internal sealed class SyncBatchItemProcessor<TItem, TResult> : BatchItemProcessor<TItem, TResult>
{
    private readonly Func<TItem, CancellationToken, TResult> _process;

    public SyncBatchItemProcessor(Func<TItem, CancellationToken, TResult> process) => _process = process;

    public override ValueTask<Outcome<TResult>> RunAsync(ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
#pragma warning disable CA1031 // The item's failure is its outcome, recorded in the batch result.
        try
        {
            return new(Outcome.FromResult(pipeline.Execute(
                static (self, ct) =>
                {
                    self.CountAttempt();
                    return self._process(self.Item, ct);
                },
                this,
                cancellationToken)));
        }
        catch (Exception ex)
        {
            return new(Outcome.FromException<TResult>(ex));
        }
#pragma warning restore CA1031
    }
}
