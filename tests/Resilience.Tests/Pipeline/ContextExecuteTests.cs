using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

/// <summary>Polly's Execute overloads that take the caller's <see cref="ResilienceContext"/> (issue 25, API shapes).</summary>
public class ContextExecuteTests
{
    [Fact]
    public async Task ExecuteAsync_WithContext_CallbackSeesTheCallersContextAndRetries()
    {
        var pipeline = CreateRetry();
        var context = ResilienceContextPool.Shared.Get("orders");
        context.Properties["tenant"] = "a";
        var calls = 0;

        var result = await pipeline.ExecuteAsync(
            ctx =>
            {
                ctx.Should().BeSameAs(context);
                ctx.IsSynchronous.Should().BeFalse();
                return ++calls == 1 ? throw new IOException() : new ValueTask<string>((string)ctx.Properties["tenant"]!);
            },
            context);

        result.Should().Be("a");
        calls.Should().Be(2);
        context.Properties["tenant"].Should().Be("a", "the caller owns the context; the pipeline does not return it to the pool");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ExecuteAsync_WithContextAndState_AllShapes()
    {
        var pipeline = CreateRetry();
        var generic = new ResiliencePipelineBuilder<int>().AddRetry(new RetryStrategyOptions<int> { BaseDelay = TimeSpan.Zero }).Build();
        var context = ResilienceContextPool.Shared.Get();
        var box = new int[1];

        (await pipeline.ExecuteAsync(static (_, s) => new ValueTask<int>(s + 1), context, 1)).Should().Be(2);
        await pipeline.ExecuteAsync(static (_, b) => { b[0]++; return default; }, context, box);
        await pipeline.ExecuteAsync(_ => { box[0]++; return default; }, context);
        (await generic.ExecuteAsync(static _ => new ValueTask<int>(3), context)).Should().Be(3);
        (await generic.ExecuteAsync(static (_, s) => new ValueTask<int>(s), context, 4)).Should().Be(4);

        box[0].Should().Be(2);
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ExecuteAsync_WithCancelledContextToken_FailsWithThatToken()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(10)).Build();
        using var caller = new CancellationTokenSource();
        var context = ResilienceContextPool.Shared.Get(caller.Token);

        var pending = pipeline.ExecuteAsync(
            static async ctx =>
            {
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ctx.CancellationToken);
                return 0;
            },
            context).AsTask();
        await caller.CancelAsync();

        (await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(caller.Token);
        context.CancellationToken.Should().Be(caller.Token, "the timeout hands the context's token back");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void Execute_WithContext_RunsSynchronouslyInTheCallersContext()
    {
        var pipeline = CreateRetry();
        var generic = new ResiliencePipelineBuilder<int>().Build();
        var context = ResilienceContextPool.Shared.Get();
        var calls = 0;

        pipeline.Execute(ctx => ++calls == 1 ? throw new IOException() : ctx.IsSynchronous, context).Should().BeTrue();
        pipeline.Execute(static (ctx, s) => s + (ctx.IsSynchronous ? 1 : 0), context, 1).Should().Be(2);
        pipeline.Execute(ctx => { calls++; }, context);
        pipeline.Execute(static (_, b) => b[0]++, context, new int[1]);
        generic.Execute(static _ => 5, context).Should().Be(5);
        generic.Execute(static (_, s) => s, context, 6).Should().Be(6);

        calls.Should().Be(3);
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void Execute_WithContext_ThrowsTheFailure()
    {
        var pipeline = new ResiliencePipelineBuilder().Build();
        var context = ResilienceContextPool.Shared.Get();

        var act = () => pipeline.Execute<int>(_ => throw new InvalidOperationException("boom"), context);

        act.Should().Throw<InvalidOperationException>().WithMessage("boom");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void ContextOverloads_SuccessPath_AllocateNothing()
    {
        var pipeline = CreateRetry();
        var generic = new ResiliencePipelineBuilder<int>().AddRetry(new RetryStrategyOptions<int>()).Build();
        var context = ResilienceContextPool.Shared.Get();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (_, s) => new ValueTask<int>(s), context, 1))).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(generic.ExecuteAsync(static _ => new ValueTask<int>(1), context))).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = pipeline.Execute(static (_, s) => s, context, 1)).Should().Be(0);
        AllocationMeter.BytesPerRun(() => pipeline.Execute(static _ => { }, context)).Should().Be(0);
        ResilienceContextPool.Shared.Return(context);
    }

    private static ResiliencePipeline CreateRetry()
        => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero }).Build();
}
