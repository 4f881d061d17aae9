using Resilience.Fallback;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

public class AllocationTests
{
    [Fact]
    public void ExecuteAsync_TimeoutAndFallbackWithStaticCallback_AllocatesNothing()
    {
        var pipeline = CreateTimeoutAndFallback();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().Be(0);
    }

    [Fact]
    public void Execute_TimeoutAndFallbackWithStaticCallback_AllocatesNothing()
    {
        var pipeline = CreateTimeoutAndFallback();

        var bytes = AllocationMeter.BytesPerRun(() => pipeline.Execute(static (s, _) => s + 1, 41));

        bytes.Should().Be(0);
    }

    [Fact]
    public void ExecuteAsync_GenericPipelineTimeoutAndFallback_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFallback(-1)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().Be(0);
    }

    [Fact]
    public void ExecuteAsync_ResultPredicateOnGenericPipeline_AllocatesNothing()
    {
        var options = new FallbackStrategyOptions<int> { ShouldHandle = Handle<int>.Exception<InvalidOperationException>().OrResult(r => r < 0) };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask(0));
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(options).Build();

        var bytes = AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42)));

        bytes.Should().Be(0);
    }

    private static ResiliencePipeline CreateTimeoutAndFallback()
    {
        var fallback = new FallbackStrategyOptions();
        fallback.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask<object>(0));
        return new ResiliencePipelineBuilder()
            .AddFallback(fallback)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }
}
