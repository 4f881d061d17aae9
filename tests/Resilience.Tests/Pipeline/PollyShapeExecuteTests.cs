using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

/// <summary>Execute shapes Polly code relies on (issue 25, API shapes), each allocation-free on the success path.</summary>
public class PollyShapeExecuteTests
{
    [Fact]
    public async Task GenericEmpty_RunsCallbackDirectly()
    {
        var pipeline = ResiliencePipeline<int>.Empty;

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(5))).Should().Be(5);
        pipeline.Execute(static () => 6).Should().Be(6);
        ResiliencePipeline<int>.Empty.Should().BeSameAs(pipeline, "like ResiliencePipeline.Empty, one shared instance");
    }

    [Fact]
    public void GenericEmpty_SuccessPath_AllocatesNothing()
    {
        var pipeline = ResiliencePipeline<int>.Empty;

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }

    [Fact]
    public void Execute_ActionWithState_RunsWithStateAndRetries()
    {
        var pipeline = CreateRetry();
        var counter = new int[1];

        pipeline.Execute(static c => { if (++c[0] == 1) { throw new IOException(); } }, counter);

        counter[0].Should().Be(2);
    }

    [Fact]
    public void Execute_FuncWithState_ReturnsResult()
    {
        var pipeline = CreateRetry();

        pipeline.Execute(static s => s + 1, 41).Should().Be(42);
        new ResiliencePipelineBuilder<int>().Build().Execute(static s => s * 2, 21).Should().Be(42);
    }

    [Fact]
    public void Execute_StateOverloads_SuccessPathAllocatesNothing()
    {
        var pipeline = CreateRetry();
        var generic = new ResiliencePipelineBuilder<int>().AddRetry(new RetryStrategyOptions<int>()).Build();
        var box = new int[1];

        AllocationMeter.BytesPerRun(() => pipeline.Execute(static b => b[0]++, box)).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = pipeline.Execute(static s => s + 1, 1)).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = generic.Execute(static s => s + 1, 1)).Should().Be(0);
    }

    private static ResiliencePipeline CreateRetry()
        => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero }).Build();
}
