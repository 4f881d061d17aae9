using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

public class ResiliencePipelineTests
{
    [Fact]
    public async Task ExecuteAsync_SeveralStrategies_FirstAddedIsOutermost()
    {
        var log = new List<string>();
        var pipeline = new ResiliencePipelineBuilder()
            .AddStrategy(_ => new RecordingStrategy("a", log))
            .AddStrategy(_ => new RecordingStrategy("b", log))
            .AddStrategy(_ => new RecordingStrategy("c", log))
            .Build();

        var result = await pipeline.ExecuteAsync(_ =>
        {
            log.Add("callback");
            return new ValueTask<int>(7);
        });

        result.Should().Be(7);
        log.Should().Equal("enter a", "enter b", "enter c", "callback", "exit c", "exit b", "exit a");
    }

    [Fact]
    public void Execute_SynchronousWork_RunsOnCallingThreadAndCompletesSynchronously()
    {
        var log = new List<string>();
        RecordingStrategy? outer = null;
        var pipeline = new ResiliencePipelineBuilder()
            .AddStrategy(_ => outer = new RecordingStrategy("outer", log))
            .AddTimeout(TimeSpan.FromSeconds(5))
            .AddStrategy(_ => new RecordingStrategy("inner", log))
            .Build();
        var callerThread = Environment.CurrentManagedThreadId;

        var callbackThread = pipeline.Execute(() => Environment.CurrentManagedThreadId);

        callbackThread.Should().Be(callerThread);
        outer!.SawSynchronousContext.Should().BeTrue();
        outer.InnerCompletedSynchronously.Should().BeTrue("nothing in the chain may go asynchronous and be blocked on");
    }

    [Fact]
    public async Task ExecuteAsync_CallbackThrows_ExceptionPropagatesWithOriginalStackTrace()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();

        var act = async () => await pipeline.ExecuteAsync<int>(_ => ThrowingHelper());

        (await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("boom"))
            .Which.StackTrace.Should().Contain(nameof(ThrowingHelper));
    }

    [Fact]
    public async Task ExecuteAsync_TokenAlreadyCancelled_DoesNotRunCallback()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync(_ => new ValueTask<int>(++calls), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(0);
    }

    [Fact]
    public async Task ExecuteOutcomeAsync_CallbackThrows_ReturnsExceptionWithoutThrowing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();

        var outcome = await pipeline.ExecuteOutcomeAsync<int, string>(static (_, _) => throw new InvalidOperationException("boom"), "state");

        outcome.HasResult.Should().BeFalse();
        outcome.Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task ExecuteOutcomeAsync_CancelledCaller_ReturnsCancellationWithoutThrowing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 1, cts.Token);

        outcome.Exception.Should().BeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task ExecuteOutcomeAsync_ContextOverload_ReturnsCallbackOutcome()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();
        var context = ResilienceContextPool.Shared.Get("op");

        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (ctx, s) => Outcome.FromResultAsValueTask(ctx.OperationKey + s),
            context,
            "-1");
        ResilienceContextPool.Shared.Return(context);

        outcome.Result.Should().Be("op-1");
    }

    [Fact]
    public async Task ExecuteAsync_VoidOverloads_RunTheWork()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();
        var calls = 0;

        await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.CompletedTask;
        });
        await pipeline.ExecuteAsync(async ct => await Task.Yield());
        await pipeline.ExecuteAsync(static (counter, _) =>
        {
            counter.Add(1);
            return ValueTask.CompletedTask;
        }, new List<int>());
        pipeline.Execute(() => calls++);
        pipeline.Execute(_ => calls++);

        calls.Should().Be(3);
    }

    [Fact]
    public async Task ExecuteAsync_TaskReturningCallback_ReturnsResult()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();
        var generic = new ResiliencePipelineBuilder<string>().AddTimeout(TimeSpan.FromSeconds(5)).Build();

        var fromTask = await pipeline.ExecuteAsync(_ => Task.FromResult("task"));
        var fromTaskWithState = await generic.ExecuteAsync(static (s, _) => Task.FromResult(s), "state");

        fromTask.Should().Be("task");
        fromTaskWithState.Should().Be("state");
    }

    [Fact]
    public async Task ExecuteAsync_TrulyAsynchronousWork_ReturnsResult()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddTimeout(TimeSpan.FromSeconds(5)).Build();

        var result = await pipeline.ExecuteAsync(async _ =>
        {
            await Task.Yield();
            return 5;
        });

        result.Should().Be(5);
    }

    [Fact]
    public void Empty_RunsCallbackDirectly()
    {
        ResiliencePipeline.Empty.Execute(static (s, _) => s * 2, 21).Should().Be(42);
    }

    [Fact]
    public void Build_NamedBuilder_PipelineKeepsName()
    {
        new ResiliencePipelineBuilder { Name = "orders" }.Build().Name.Should().Be("orders");
        new ResiliencePipelineBuilder<int> { Name = "stock" }.Build().Name.Should().Be("stock");
    }

    [Fact]
    public void TimeProvider_SetToNull_Throws()
    {
        var act = () => new ResiliencePipelineBuilder { TimeProvider = null! };

        act.Should().Throw<ArgumentNullException>().WithParameterName("TimeProvider");
    }

    [Fact]
    public void AddStrategy_NullFactory_Throws()
    {
        var act = () => new ResiliencePipelineBuilder().AddStrategy(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    private static ValueTask<int> ThrowingHelper() => throw new InvalidOperationException("boom");
}
