using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.DeadLetter;

namespace Resilience.Batch.Internal;

/// <summary>
/// Runs a batch: workers take items from the input one at a time under a lock (so the input is read lazily, once, in
/// order, and never past a cancellation), run each through the pipeline and write its outcome into the slot of its
/// input position, which is how the result comes out in input order whatever order items finish in.
/// </summary>
internal sealed class BatchRunner<TItem, TResult>
{
    // Slots live in fixed pages handed out under the lock, so a worker writes its slot without racing a growing list.
    private const int PageSize = 256;

    private readonly Lock _lock = new();
    private readonly ResiliencePipeline _pipeline;
    private readonly IEnumerator<TItem> _items;
    private readonly int _parallelism;
    private readonly int _chunkSize;
    private readonly IProgress<BatchProgress>? _progress;
    private readonly DeadLetterQueue? _deadLetters;
    private readonly string? _operationType;
    private readonly JsonTypeInfo<TItem>? _typeInfo;
    private readonly CancellationToken _batchToken;
    private readonly CancellationToken _itemToken;
    private readonly List<Slot[]> _pages = [];
    private int _taken;
    private int _takenInChunk;
    private int _succeeded;
    private int _failed;
    private int _inFlight;
    private bool _exhausted;
    private bool _canceled;
    private ExceptionDispatchInfo? _inputFailure;

    public BatchRunner(ResiliencePipeline pipeline, IEnumerable<TItem> items, BatchOptions<TItem> options, CancellationToken cancellationToken)
    {
        _pipeline = pipeline;
        _parallelism = options.MaxDegreeOfParallelism;
        _chunkSize = options.ChunkSize ?? int.MaxValue;
        _progress = options.Progress;
        _deadLetters = options.DeadLetterQueue;
        _operationType = options.DeadLetterOperationType;
        _typeInfo = options.PayloadTypeInfo;
        _batchToken = cancellationToken;
        _itemToken = options.CancellationMode == BatchCancellationMode.DrainRunning ? CancellationToken.None : cancellationToken;
        _items = items.GetEnumerator();
    }

    public async ValueTask<BatchResult<TItem, TResult>> RunAsync(Func<BatchItemProcessor<TItem, TResult>> createProcessor)
    {
        var processors = new BatchItemProcessor<TItem, TResult>[_parallelism];
        for (var i = 0; i < processors.Length; i++)
        {
            processors[i] = createProcessor();
        }

        try
        {
            while (StartChunk())
            {
                await RunChunkAsync(processors).ConfigureAwait(false);
            }
        }
        finally
        {
            _items.Dispose();
        }

        _inputFailure?.Throw();
        return BuildResult();
    }

    private bool StartChunk()
    {
        lock (_lock)
        {
            _takenInChunk = 0;
            return !_exhausted && !_canceled;
        }
    }

    private async Task RunChunkAsync(BatchItemProcessor<TItem, TResult>[] processors)
    {
        if (processors.Length == 1)
        {
            await WorkAsync(processors[0]).ConfigureAwait(false);
            return;
        }

        // The others on the thread pool, so a callback that completes synchronously cannot keep them from starting.
        var others = new Task[processors.Length - 1];
        for (var i = 1; i < processors.Length; i++)
        {
            var processor = processors[i];
            others[i - 1] = Task.Run(() => WorkAsync(processor));
        }

        await WorkAsync(processors[0]).ConfigureAwait(false);
        await Task.WhenAll(others).ConfigureAwait(false);
    }

    private async Task WorkAsync(BatchItemProcessor<TItem, TResult> processor)
    {
        while (TryTake(out var page, out var offset, out var item))
        {
            processor.Begin(item);
            var outcome = await processor.RunAsync(_pipeline, _itemToken).ConfigureAwait(false);
            ref var slot = ref page[offset];
            slot.Item = item;
            slot.Attempts = processor.Attempts;
            if (outcome.Exception is { } exception)
            {
                slot.Exception = exception;
                if (_deadLetters is not null && !(exception is OperationCanceledException && _batchToken.IsCancellationRequested))
                {
                    await DeadLetterAsync(item, exception, page, offset).ConfigureAwait(false);
                }
            }
            else
            {
                slot.Result = outcome.Result!;
            }

            Finish(succeeded: outcome.Exception is null);
        }
    }

    private async ValueTask DeadLetterAsync(TItem item, Exception exception, Slot[] page, int offset)
    {
#pragma warning disable CA1031 // A failed add is recorded beside the item's own failure; the batch goes on.
        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(item, _typeInfo!);
            var reason = exception is ExecutionRejectedException ? DeadLetterFailureReason.Rejected : DeadLetterFailureReason.MaxRetriesExceeded;

            // Not the batch's token: once an item has failed its entry must be written even if the batch is being cancelled.
            var entry = await _deadLetters!.AddAsync(_operationType!, payload, exception, reason, context: null, CancellationToken.None).ConfigureAwait(false);
            page[offset].DeadLetterEntryId = entry.Id;
        }
        catch (Exception ex)
        {
            page[offset].DeadLetterException = ex;
        }
#pragma warning restore CA1031
    }

    private bool TryTake(out Slot[] page, out int offset, out TItem item)
    {
        BatchProgress snapshot;
        lock (_lock)
        {
            page = null!;
            offset = 0;
            item = default!;
            if (_exhausted || _canceled || _takenInChunk >= _chunkSize)
            {
                return false;
            }

            if (_batchToken.IsCancellationRequested)
            {
                _canceled = true;
                return false;
            }

#pragma warning disable CA1031 // The input's failure is rethrown once the running items are done.
            try
            {
                if (!_items.MoveNext())
                {
                    _exhausted = true;
                    return false;
                }

                item = _items.Current;
            }
            catch (Exception ex)
            {
                _inputFailure = ExceptionDispatchInfo.Capture(ex);
                _exhausted = true;
                return false;
            }
#pragma warning restore CA1031

            offset = _taken % PageSize;
            if (offset == 0)
            {
                _pages.Add(new Slot[PageSize]);
            }

            page = _pages[^1];
            _taken++;
            _takenInChunk++;
            _inFlight++;
            snapshot = new BatchProgress(_succeeded, _failed, _inFlight);
        }

        _progress?.Report(snapshot);
        return true;
    }

    private void Finish(bool succeeded)
    {
        BatchProgress snapshot;
        lock (_lock)
        {
            _inFlight--;
            if (succeeded)
            {
                _succeeded++;
            }
            else
            {
                _failed++;
            }

            Debug.Assert(_inFlight >= 0, "An item finished twice.");
            snapshot = new BatchProgress(_succeeded, _failed, _inFlight);
        }

        _progress?.Report(snapshot);
    }

    private BatchResult<TItem, TResult> BuildResult()
    {
        var succeeded = new List<BatchItemSuccess<TItem, TResult>>(_succeeded);
        var failed = new List<BatchItemFailure<TItem>>(_failed);
        for (var index = 0; index < _taken; index++)
        {
            ref var slot = ref _pages[index / PageSize][index % PageSize];
            if (slot.Exception is null)
            {
                succeeded.Add(new BatchItemSuccess<TItem, TResult>(index, slot.Item, slot.Result, slot.Attempts));
            }
            else
            {
                failed.Add(new BatchItemFailure<TItem>(index, slot.Item, slot.Exception, slot.Attempts, slot.DeadLetterEntryId, slot.DeadLetterException));
            }
        }

        return new BatchResult<TItem, TResult>(succeeded, failed, _taken, _canceled);
    }

    private struct Slot
    {
        public TItem Item;
        public TResult Result;
        public Exception? Exception;
        public int Attempts;
        public string? DeadLetterEntryId;
        public Exception? DeadLetterException;
    }
}
