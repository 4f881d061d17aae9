using Resilience.Batch;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Retry;

namespace Resilience.Tests.Batch;

public class BatchPipelineExtensionsTests
{
    private static ResiliencePipeline RetryTwice() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.Zero })
        .Build();

    private static BatchItem[] Items(int count) => [.. Enumerable.Range(0, count).Select(i => new BatchItem(i, $"item-{i}"))];

    [Fact]
    public async Task ExecuteBatchAsync_SomeItemsAlwaysFail_SplitsSuccessesAndFailuresInInputOrderWithAttempts()
    {
        var result = await RetryTwice().ExecuteBatchAsync(
            Items(10),
            static (item, _) => item.Id % 3 == 0 ? throw new HttpRequestException($"bad {item.Id}") : new ValueTask<string>(item.Name.ToUpperInvariant()),
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 3 });

        result.Succeeded.Select(s => s.Index).Should().Equal(1, 2, 4, 5, 7, 8);
        result.Succeeded.Select(s => s.Result).Should().Equal("ITEM-1", "ITEM-2", "ITEM-4", "ITEM-5", "ITEM-7", "ITEM-8");
        result.Succeeded.Should().OnlyContain(s => s.Attempts == 1 && s.Item.Id == s.Index);
        result.Failed.Select(f => f.Item.Id).Should().Equal(0, 3, 6, 9);
        result.Failed.Should().OnlyContain(f => f.Attempts == 3 && f.Exception is HttpRequestException && f.DeadLetterEntryId == null && !f.IsCanceled);
        result.Failed.Select(f => f.Exception.Message).Should().Equal("bad 0", "bad 3", "bad 6", "bad 9");
        result.StartedCount.Should().Be(10);
        result.IsCanceled.Should().BeFalse();
        result.AllSucceeded.Should().BeFalse();
    }

    [Fact]
    public async Task ExecuteBatchAsync_FailureTheRetryDoesNotHandle_FailsAfterOneAttempt()
    {
        var result = await RetryTwice().ExecuteBatchAsync(Items(1), static (_, _) => ValueTask.FromException<int>(new InvalidOperationException()));

        result.Failed.Should().ContainSingle().Which.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task ExecuteBatchAsync_ItemFailsOnceThenSucceeds_SucceedsWithTwoAttempts()
    {
        var failures = new int[3];
        var result = await RetryTwice().ExecuteBatchAsync(
            Items(3),
            (item, _) => Interlocked.Increment(ref failures[item.Id]) == 1 && item.Id == 1 ? throw new TimeoutException() : new ValueTask<int>(item.Id * 10));

        result.AllSucceeded.Should().BeTrue();
        result.Succeeded.Select(s => (s.Index, s.Result, s.Attempts)).Should().Equal((0, 0, 1), (1, 10, 2), (2, 20, 1));
    }

    [Fact]
    public async Task ExecuteBatchAsync_OpenBreakerRejectsBeforeAnyAttempt_FailureHasZeroAttempts()
    {
        var manual = new CircuitBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = manual }).Build();
        await manual.IsolateAsync();

        var result = await pipeline.ExecuteBatchAsync(Items(2), static (item, _) => new ValueTask<int>(item.Id));

        result.Failed.Should().HaveCount(2).And.OnlyContain(f => f.Attempts == 0 && f.Exception is IsolatedCircuitException);
    }

    [Fact]
    public async Task ExecuteBatchAsync_MaxDegreeOfParallelism_NeverMoreCallersAtOnceAndTheBoundIsReached()
    {
        using var gate = new CallerGate();
        var items = Items(20);
        var batch = RetryTwice().ExecuteBatchAsync(
            items,
            (item, ct) => gate.EnterAsync(item.Id, ct),
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 3 }).AsTask();

        // Release one caller only when three are held, so a fourth would be inside alongside them if the bound leaked.
        await gate.WaitForArrivalsAsync(3);
        for (var released = 0; released < items.Length; released++)
        {
            gate.Inside.Should().BeLessThanOrEqualTo(3);
            gate.Release(gate.HeldIds.Min());
            if (released < items.Length - 3)
            {
                await gate.WaitForArrivalsAsync(1);
            }
        }

        var result = await batch;
        result.Succeeded.Should().HaveCount(20);
        gate.MaxInside.Should().Be(3);
    }

    [Fact]
    public async Task ExecuteBatchAsync_ItemsFinishInReverseOrder_ResultStaysInInputOrder()
    {
        using var gate = new CallerGate();
        var batch = RetryTwice().ExecuteBatchAsync(
            Items(6),
            (item, ct) => gate.EnterAsync(item.Id, ct),
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 6 }).AsTask();
        await gate.WaitForArrivalsAsync(6);

        var finished = new List<int>();
        for (var id = 5; id >= 0; id--)
        {
            gate.Release(id);
            finished.Add(id);
        }

        var result = await batch;
        finished.Should().Equal(5, 4, 3, 2, 1, 0);
        result.Succeeded.Select(s => s.Result).Should().Equal(0, 1, 2, 3, 4, 5);
        result.Succeeded.Select(s => s.Index).Should().Equal(0, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task ExecuteBatchAsync_CancelRunning_RunningItemsCancelledRestNeverRead()
    {
        using var cts = new CancellationTokenSource();
        using var gate = new CallerGate();
        var read = 0;
        IEnumerable<BatchItem> Input()
        {
            foreach (var item in Items(10))
            {
                read++;
                yield return item;
            }
        }

        var batch = RetryTwice().ExecuteBatchAsync(
            Input(),
            (item, ct) => gate.EnterAsync(item.Id, ct),
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 2, CancellationMode = BatchCancellationMode.CancelRunning },
            cts.Token).AsTask();
        await gate.WaitForArrivalsAsync(2);

        await cts.CancelAsync();
        var result = await batch;

        result.IsCanceled.Should().BeTrue();
        result.StartedCount.Should().Be(2);
        read.Should().Be(2, "no item is read from the input after the cancellation");
        result.Succeeded.Should().BeEmpty();
        result.Failed.Select(f => f.Index).Should().Equal(0, 1);
        result.Failed.Should().OnlyContain(f => f.IsCanceled && f.Attempts == 1, "a cancelled attempt is not retried");
    }

    [Fact]
    public async Task ExecuteBatchAsync_DrainRunning_RunningItemsFinishWithoutSeeingTheCancellation()
    {
        using var cts = new CancellationTokenSource();
        using var gate = new CallerGate();
        var tokensCancelled = 0;
        var batch = RetryTwice().ExecuteBatchAsync(
            Items(10),
            async (item, ct) =>
            {
                var id = await gate.EnterAsync(item.Id, ct);
                if (ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref tokensCancelled);
                }

                return id;
            },
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 2, CancellationMode = BatchCancellationMode.DrainRunning },
            cts.Token).AsTask();
        await gate.WaitForArrivalsAsync(2);

        await cts.CancelAsync();
        gate.Release(0);
        gate.Release(1);
        var result = await batch;

        result.IsCanceled.Should().BeTrue();
        result.StartedCount.Should().Be(2);
        result.Succeeded.Select(s => s.Result).Should().Equal(0, 1);
        result.Failed.Should().BeEmpty();
        tokensCancelled.Should().Be(0);
    }

    [Fact]
    public async Task ExecuteBatchAsync_WithDeadLetterQueue_EachFailedItemIsAnEntryWithTheItemAsPayload()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var result = await RetryTwice().ExecuteBatchAsync(
            Items(5),
            static (item, _) => item.Id % 2 == 1 ? throw new HttpRequestException($"503 for {item.Id}") : new ValueTask<int>(item.Id),
            new BatchOptions<BatchItem>
            {
                MaxDegreeOfParallelism = 2,
                DeadLetterQueue = queue,
                DeadLetterOperationType = "import-item",
                PayloadTypeInfo = BatchJsonContext.Default.BatchItem,
            });

        result.Failed.Select(f => f.Item.Id).Should().Equal(1, 3);
        var entries = queue.Query().Entries;
        entries.Should().HaveCount(2);
        foreach (var failure in result.Failed)
        {
            var entry = entries.Single(e => e.Id == failure.DeadLetterEntryId);
            entry.OperationType.Should().Be("import-item");
            entry.Error.Reason.Should().Be(DeadLetterFailureReason.MaxRetriesExceeded);
            entry.Error.Message.Should().Be($"503 for {failure.Item.Id}");
            System.Text.Json.JsonSerializer.Deserialize(entry.Payload.Span, BatchJsonContext.Default.BatchItem).Should().Be(failure.Item);
        }
    }

    [Fact]
    public async Task ExecuteBatchAsync_RejectedItemDeadLettered_ReasonIsRejected()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var manual = new CircuitBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = manual }).Build();
        await manual.IsolateAsync();

        await pipeline.ExecuteBatchAsync(
            Items(1),
            static (item, _) => new ValueTask<int>(item.Id),
            new BatchOptions<BatchItem> { DeadLetterQueue = queue, DeadLetterOperationType = "t", PayloadTypeInfo = BatchJsonContext.Default.BatchItem });

        queue.Query().Entries.Single().Error.Reason.Should().Be(DeadLetterFailureReason.Rejected);
    }

    [Fact]
    public async Task ExecuteBatchAsync_CancelledItems_AreNotDeadLettered()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        using var cts = new CancellationTokenSource();
        using var gate = new CallerGate();
        var batch = RetryTwice().ExecuteBatchAsync(
            Items(3),
            (item, ct) => gate.EnterAsync(item.Id, ct),
            new BatchOptions<BatchItem> { DeadLetterQueue = queue, DeadLetterOperationType = "t", PayloadTypeInfo = BatchJsonContext.Default.BatchItem },
            cts.Token).AsTask();
        await gate.WaitForArrivalsAsync(1);
        await cts.CancelAsync();

        var result = await batch;

        result.Failed.Should().ContainSingle().Which.IsCanceled.Should().BeTrue();
        queue.Query().Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task ExecuteBatchAsync_ChunkSize_NextChunkStartsOnlyWhenThePreviousIsDone()
    {
        var done = new bool[7];
        var violations = new List<string>();
        await RetryTwice().ExecuteBatchAsync(
            Items(7),
            async (item, _) =>
            {
                var chunkStart = item.Id / 3 * 3;
                lock (violations)
                {
                    violations.AddRange(Enumerable.Range(0, chunkStart).Where(i => !done[i]).Select(i => $"{item.Id} started before {i} was done"));
                }

                await Task.Yield();
                lock (violations)
                {
                    done[item.Id] = true;
                }

                return item.Id;
            },
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 3, ChunkSize = 3 });

        violations.Should().BeEmpty();
        done.Should().OnlyContain(d => d);
    }

    [Fact]
    public async Task ExecuteBatchAsync_Progress_ReportsEachStartAndFinish()
    {
        var progress = new RecordingProgress();
        await RetryTwice().ExecuteBatchAsync(
            Items(3),
            static (item, _) => item.Id == 1 ? throw new InvalidOperationException() : new ValueTask<int>(item.Id),
            new BatchOptions<BatchItem> { Progress = progress });

        progress.Reports.Select(p => (p.Succeeded, p.Failed, p.InFlight)).Should().Equal(
            (0, 0, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1), (2, 1, 0));
        progress.Reports[^1].Done.Should().Be(3);
    }

    [Fact]
    public void ExecuteBatch_Synchronous_SplitsInInputOrder()
    {
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        var result = RetryTwice().ExecuteBatch(
            Items(8),
            (item, _) =>
            {
                threads[Environment.CurrentManagedThreadId] = true;
                return item.Id % 4 == 0 ? throw new HttpRequestException() : item.Id;
            },
            new BatchOptions<BatchItem> { MaxDegreeOfParallelism = 2 });

        result.Succeeded.Select(s => s.Result).Should().Equal(1, 2, 3, 5, 6, 7);
        result.Failed.Select(f => (f.Index, f.Attempts)).Should().Equal((0, 3), (4, 3));
    }

    [Fact]
    public void ExecuteBatch_OneWorker_RunsOnTheCallingThread()
    {
        var caller = Environment.CurrentManagedThreadId;
        var result = RetryTwice().ExecuteBatch(Items(3), (item, _) => Environment.CurrentManagedThreadId);

        result.Succeeded.Should().OnlyContain(s => s.Result == caller);
    }

    [Fact]
    public async Task ExecuteBatchAsync_InputThrows_RunningItemsFinishThenTheInputsExceptionIsThrown()
    {
        var processed = 0;
        IEnumerable<BatchItem> Input()
        {
            yield return new BatchItem(0, "a");
            throw new FormatException("bad input");
        }

        var act = () => RetryTwice().ExecuteBatchAsync(Input(), (item, _) => new ValueTask<int>(Interlocked.Increment(ref processed))).AsTask();

        await act.Should().ThrowAsync<FormatException>().WithMessage("bad input");
        processed.Should().Be(1);
    }

    [Theory]
    [InlineData(0, null, "BatchOptions.MaxDegreeOfParallelism")]
    [InlineData(1025, null, "BatchOptions.MaxDegreeOfParallelism")]
    [InlineData(1, 0, "BatchOptions.ChunkSize")]
    public void ExecuteBatchAsync_InvalidOptions_ThrowsNamingTheOption(int parallelism, int? chunk, string option)
    {
        var act = () => RetryTwice().ExecuteBatchAsync(Items(1), static (i, _) => new ValueTask<int>(i.Id), new BatchOptions<BatchItem> { MaxDegreeOfParallelism = parallelism, ChunkSize = chunk });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*{option}*");
    }

    [Fact]
    public async Task ExecuteBatchAsync_DeadLetterQueueWithoutOperationTypeOrTypeInfo_ThrowsNamingTheOption()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        var noType = () => RetryTwice().ExecuteBatchAsync(Items(1), static (i, _) => new ValueTask<int>(i.Id), new BatchOptions<BatchItem> { DeadLetterQueue = queue, PayloadTypeInfo = BatchJsonContext.Default.BatchItem });
        var noInfo = () => RetryTwice().ExecuteBatchAsync(Items(1), static (i, _) => new ValueTask<int>(i.Id), new BatchOptions<BatchItem> { DeadLetterQueue = queue, DeadLetterOperationType = "t" });

        noType.Should().Throw<ArgumentException>().WithMessage("*BatchOptions.DeadLetterOperationType*");
        noInfo.Should().Throw<ArgumentNullException>().WithMessage("*BatchOptions.PayloadTypeInfo*");
    }
}
