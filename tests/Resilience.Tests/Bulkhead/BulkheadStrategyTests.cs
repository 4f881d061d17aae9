using Microsoft.Extensions.Time.Testing;
using Resilience.Bulkhead;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Bulkhead;

public class BulkheadStrategyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<BulkheadRejectionReason> _rejections = [];

    [Fact]
    public async Task FullWithoutQueue_RejectsWithQueueFull()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 0);
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var running = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<BulkheadRejectedException>().Which.Reason.Should().Be(BulkheadRejectionReason.QueueFull);
        _rejections.Should().Equal(BulkheadRejectionReason.QueueFull);
        gate.SetResult(1);
        await running;
        bulkhead.InUse.Should().Be(0);
    }

    [Fact]
    public async Task Queue_ServesWaitersInFifoOrder()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 3);
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var order = new List<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var waiters = Enumerable.Range(1, 3).Select(n => pipeline.ExecuteAsync(_ =>
        {
            lock (order)
            {
                order.Add(n);
            }

            return new ValueTask<int>(n);
        }).AsTask()).ToList();

        bulkhead.InUse.Should().Be(1);
        bulkhead.Queued.Should().Be(3);
        bulkhead.Available.Should().Be(0);
        gate.SetResult(0);
        await first;
        await Task.WhenAll(waiters);

        order.Should().Equal(1, 2, 3);
        bulkhead.InUse.Should().Be(0);
        bulkhead.Queued.Should().Be(0);
        bulkhead.Available.Should().Be(1);
    }

    [Fact]
    public async Task Queue_FullQueueRejectsNewcomers()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 1);
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var queued = pipeline.ExecuteAsync(static _ => new ValueTask<int>(2)).AsTask();

        var third = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(3), 0);

        third.Exception.Should().BeOfType<BulkheadRejectedException>().Which.Reason.Should().Be(BulkheadRejectionReason.QueueFull);
        gate.SetResult(1);
        (await queued).Should().Be(2);
        await first;
    }

    [Fact]
    public async Task QueueTimeout_WaiterRejectedExactlyAtTimeout()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 5, timeout: TimeSpan.FromSeconds(2));
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var waiting = pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0).AsTask();

        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        waiting.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromTicks(1));
        var outcome = await waiting;

        outcome.Exception.Should().BeOfType<BulkheadRejectedException>().Which.Reason.Should().Be(BulkheadRejectionReason.QueueTimeout);
        bulkhead.Queued.Should().Be(0, "a timed-out waiter leaves the queue");
        gate.SetResult(0);
        await first;
        bulkhead.InUse.Should().Be(0, "the slot is not handed to a waiter that already left");
    }

    [Fact]
    public async Task QueueTimeout_EachWaiterTimesOutItsOwnTimeoutAfterItJoined()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 5, timeout: TimeSpan.FromSeconds(5));
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var running = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var early = pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        var late = pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(2), 0).AsTask();

        _time.Advance(TimeSpan.FromSeconds(4));
        (await early).Exception.Should().BeOfType<BulkheadRejectedException>("the first waiter's 5 s are up");
        late.IsCompleted.Should().BeFalse("the second waiter joined a second later");
        bulkhead.Queued.Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        late.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromTicks(1));
        (await late).Exception.Should().BeOfType<BulkheadRejectedException>();
        bulkhead.Queued.Should().Be(0);
        gate.SetResult(0);
        await running;
    }

    [Fact]
    public async Task QueueTimeout_HeadGrantedEarly_NextWaiterStillGetsItsFullTimeout()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 5, timeout: TimeSpan.FromSeconds(5));
        var pipeline = Build(bulkhead);
        var firstGate = new TaskCompletionSource<int>();
        var secondGate = new TaskCompletionSource<int>();
        var running = pipeline.ExecuteAsync(_ => new ValueTask<int>(firstGate.Task)).AsTask();
        var head = pipeline.ExecuteAsync(_ => new ValueTask<int>(secondGate.Task)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));
        var next = pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(3), 0).AsTask();

        firstGate.SetResult(1);
        await running;
        _time.Advance(TimeSpan.FromSeconds(3));
        next.IsCompleted.Should().BeFalse("the timer armed for the granted head fires early and re-arms for this waiter");
        _time.Advance(TimeSpan.FromSeconds(2));
        (await next).Exception.Should().BeOfType<BulkheadRejectedException>().Which.Reason.Should().Be(BulkheadRejectionReason.QueueTimeout);

        secondGate.SetResult(2);
        (await head).Should().Be(2);
        bulkhead.InUse.Should().Be(0);
    }

    [Fact]
    public async Task CancellationWhileQueued_LeavesQueueAtOnceAsCancelled()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 5);
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        using var caller = new CancellationTokenSource();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var waiting = pipeline.ExecuteAsync(static _ => new ValueTask<int>(1), caller.Token).AsTask();
        bulkhead.Queued.Should().Be(1);

        await caller.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        bulkhead.Queued.Should().Be(0);
        _rejections.Should().BeEmpty("a cancelled caller is not a rejection");
        gate.SetResult(0);
        await first;
        bulkhead.InUse.Should().Be(0);
    }

    [Fact]
    public async Task FailingCall_ReleasesItsSlot()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 0);
        var pipeline = Build(bulkhead);

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static async _ =>
        {
            await Task.Yield();
            throw new IOException();
        }).AsTask()).Should().ThrowAsync<IOException>();

        bulkhead.InUse.Should().Be(0);
        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(5))).Should().Be(5);
    }

    [Fact]
    public async Task Execute_SynchronousCallerQueued_WaitsWithoutTaskAndRuns()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 1);
        var pipeline = Build(bulkhead);
        var gate = new TaskCompletionSource<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        var sync = Task.Factory.StartNew(() => pipeline.Execute(static () => 7), TaskCreationOptions.LongRunning);
        while (bulkhead.Queued == 0)
        {
            await Task.Yield();
        }

        gate.SetResult(0);
        (await sync).Should().Be(7);
        await first;
    }

    [Fact]
    public async Task SharedBulkhead_SlotsSharedAcrossPipelines()
    {
        var bulkhead = Shared(maxConcurrency: 1, queue: 0);
        var first = Build(bulkhead);
        var second = new ResiliencePipelineBuilder<string> { TimeProvider = _time }.AddBulkhead(bulkhead).Build();
        var gate = new TaskCompletionSource<int>();
        var running = first.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        (await second.ExecuteOutcomeAsync(static (_, _) => new ValueTask<string>("x"), 0)).Exception.Should().BeOfType<BulkheadRejectedException>()
            .Which.Message.Should().Contain("inventory");
        gate.SetResult(0);
        await running;
    }

    [Fact]
    public void UncontendedSuccess_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddBulkhead(new BulkheadStrategyOptions { MaxConcurrency = 4, MaxQueueLength = 10 }).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
        AllocationMeter.BytesPerRun(() => pipeline.Execute(static (s, _) => s, 1)).Should().Be(0);
    }

    public static TheoryData<Action<BulkheadStrategyOptions>, string> BadOptions => new()
    {
        { o => o.MaxConcurrency = 0, "BulkheadStrategyOptions.MaxConcurrency" },
        { o => o.MaxConcurrency = -3, "BulkheadStrategyOptions.MaxConcurrency" },
        { o => o.MaxQueueLength = -1, "BulkheadStrategyOptions.MaxQueueLength" },
        { o => o.QueueTimeout = TimeSpan.FromSeconds(-1), "BulkheadStrategyOptions.QueueTimeout" },
        { o => o.QueueTimeout = TimeSpan.Zero, "BulkheadStrategyOptions.QueueTimeout" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void AddBulkhead_BadOption_ThrowsNamingTheOption(Action<BulkheadStrategyOptions> configure, string option)
    {
        var options = new BulkheadStrategyOptions();
        configure(options);

        var act = () => new ResiliencePipelineBuilder().AddBulkhead(options);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    private SharedBulkhead Shared(int maxConcurrency, int queue, TimeSpan? timeout = null) => new(
        "inventory",
        new BulkheadStrategyOptions
        {
            MaxConcurrency = maxConcurrency,
            MaxQueueLength = queue,
            QueueTimeout = timeout ?? System.Threading.Timeout.InfiniteTimeSpan,
            OnRejected = args =>
            {
                lock (_rejections)
                {
                    _rejections.Add(args.Reason);
                }

                return default;
            },
        },
        _time);

    private ResiliencePipeline Build(SharedBulkhead bulkhead) => new ResiliencePipelineBuilder { TimeProvider = _time }.AddBulkhead(bulkhead).Build();
}
