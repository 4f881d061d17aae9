using Microsoft.Extensions.Time.Testing;
using Resilience.Timeout;

namespace Resilience.Tests.Timeout;

public class TimeoutStrategyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_WorkOutlastsTimeout_FailsExactlyAtTimeout()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(2), name: "orders-api");

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        pending.IsCompleted.Should().BeFalse("one tick before the timeout the work is still allowed to run");
        _time.Advance(TimeSpan.FromTicks(1));

        var rejected = (await pending.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>()).Which;
        rejected.Timeout.Should().Be(TimeSpan.FromSeconds(2));
        rejected.PipelineName.Should().Be("orders-api");
        rejected.Message.Should().Contain("00:00:02").And.Contain("orders-api");
        rejected.InnerException.Should().BeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task ExecuteAsync_WorkFinishesInTime_ReturnsResult()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(2));

        var pending = pipeline.ExecuteAsync(async ct =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct);
            return 5;
        }).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));

        (await pending).Should().Be(5);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ReportsCancellationNotTimeout()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(2));
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync, caller.Token).AsTask();
        await caller.CancelAsync();

        var thrown = await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
        thrown.Which.Should().NotBeOfType<TimeoutRejectedException>();
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancelsWhileWorkRuns_ReportsCancellation()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync(async ct =>
        {
            await caller.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return 1;
        }, caller.Token).AsTask();

        await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task ExecuteAsync_WorkIgnoresToken_ResultIsKept()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(5));
        gate.SetResult(3);

        (await pending).Should().Be(3, "a timeout is cooperative: work that ignores the token and succeeds keeps its result");
    }

    [Fact]
    public async Task ExecuteAsync_Generator_DecidesTimeoutPerCall()
    {
        var timeouts = new Queue<TimeSpan>([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)]);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => new ValueTask<TimeSpan>(timeouts.Dequeue()) })
            .Build();

        var first = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await first.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>()).Which.Timeout.Should().Be(TimeSpan.FromSeconds(1));

        var second = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));
        second.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await second.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>()).Which.Timeout.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task ExecuteAsync_GeneratorReturnsInfinite_NoTimeout()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => new ValueTask<TimeSpan>(System.Threading.Timeout.InfiniteTimeSpan) })
            .Build();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = pipeline.ExecuteAsync(ct => new ValueTask<int>(gate.Task.WaitAsync(ct))).AsTask();
        _time.Advance(TimeSpan.FromDays(1));
        pending.IsCompleted.Should().BeFalse();
        gate.SetResult(1);

        (await pending).Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_GeneratorThrows_CallFailsWithItsException()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => throw new InvalidOperationException("no timeout today") })
            .Build();

        var act = async () => await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("no timeout today");
    }

    [Fact]
    public async Task ExecuteAsync_TimesOut_RaisesOnTimeoutWithTimeout()
    {
        var raised = new List<TimeSpan>();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = TimeSpan.FromSeconds(1),
                OnTimeout = args =>
                {
                    raised.Add(args.Timeout);
                    return default;
                },
            })
            .Build();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));

        await pending.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>();
        raised.Should().Equal(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ExecuteAsync_OnTimeoutThrows_CallerGetsTheCallbackFailure()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = TimeSpan.FromSeconds(1),
                OnTimeout = _ => throw new InvalidOperationException("handler bug"),
            })
            .Build();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));

        // The rule for every user callback (issue 16, Minor 14): its exception reaches the caller.
        await pending.Invoking(p => p).Should().ThrowAsync<InvalidOperationException>().WithMessage("handler bug");
    }

    [Fact]
    public async Task Execute_SynchronousWorkOutlastsTimeout_ThrowsTimeoutOnCallingThread()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));
        using var started = new ManualResetEventSlim();
        var callerThread = 0;
        var workThread = -1;

        var run = Task.Factory.StartNew(
            () =>
            {
                callerThread = Environment.CurrentManagedThreadId;
                return pipeline.Execute(ct =>
                {
                    workThread = Environment.CurrentManagedThreadId;
                    started.Set();
                    ct.WaitHandle.WaitOne();
                    ct.ThrowIfCancellationRequested();
                    return 0;
                });
            },
            TaskCreationOptions.LongRunning);
        started.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        _time.Advance(TimeSpan.FromSeconds(1));

        await run.Invoking(r => r).Should().ThrowAsync<TimeoutRejectedException>();
        workThread.Should().Be(callerThread);
    }

    [Fact]
    public async Task ExecuteAsync_ManyCalls_PooledSourcesDoNotLeakCancellation()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));

        var first = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        await first.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>();

        for (var i = 0; i < 10; i++)
        {
            (await pipeline.ExecuteAsync(static ct => new ValueTask<bool>(ct.IsCancellationRequested))).Should().BeFalse();
        }
    }

    [Fact]
    public async Task ExecuteAsync_ReusedSourceWhoseTimerIsDueEarlier_StillFiresExactlyAtTheNewDeadline()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));

        // The first call finishes at once; its timer (due at 1 s) is left armed for the next call to reuse.
        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1))).Should().Be(1);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var second = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(500));
        second.IsCompleted.Should().BeFalse("the old timer fired at 1 s, but this call's deadline is 1.5 s");
        _time.Advance(TimeSpan.FromMilliseconds(500) - TimeSpan.FromTicks(1));
        second.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromTicks(1));

        await second.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>();
    }

    [Fact]
    public async Task ExecuteAsync_IdleSourceTimerFires_NextCallIsNotCancelled()
    {
        var pipeline = CreatePipeline(TimeSpan.FromSeconds(1));
        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));

        _time.Advance(TimeSpan.FromSeconds(5));
        var observed = await pipeline.ExecuteAsync(static ct => new ValueTask<bool>(ct.IsCancellationRequested));

        observed.Should().BeFalse("a timer left over from a finished call must not cancel a later one");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-5000)]
    public void AddTimeout_NotPositive_ThrowsNamingTheOption(int milliseconds)
    {
        var act = () => new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromMilliseconds(milliseconds));

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("TimeoutStrategyOptions.Timeout")
            .And.Message.Should().Contain("must be greater than zero");
    }

    [Fact]
    public void AddTimeout_Infinite_ThrowsNamingTheValue()
    {
        var act = () => new ResiliencePipelineBuilder().AddTimeout(System.Threading.Timeout.InfiniteTimeSpan);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TimeoutStrategyOptions.Timeout")
            .And.Message.Should().Contain("infinite");
    }

    [Fact]
    public void AddTimeout_LongerThanTimersAllow_Throws()
    {
        var act = () => new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromDays(60));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TimeoutStrategyOptions.Timeout");
    }

    [Fact]
    public void AddTimeout_NullOptions_Throws()
    {
        var act = () => new ResiliencePipelineBuilder().AddTimeout((TimeoutStrategyOptions)null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task AddTimeout_OptionsChangedAfterAdd_PipelineKeepsSnapshot()
    {
        var options = new TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(1) };
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time }.AddTimeout(options);
        options.Timeout = TimeSpan.FromSeconds(100);
        var pipeline = builder.Build();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));

        await pending.Invoking(p => p).Should().ThrowAsync<TimeoutRejectedException>();
    }

    private ResiliencePipeline CreatePipeline(TimeSpan timeout, string? name = null)
        => new ResiliencePipelineBuilder { TimeProvider = _time, Name = name }.AddTimeout(timeout).Build();

    private static async ValueTask<int> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);
        return 0;
    }
}
