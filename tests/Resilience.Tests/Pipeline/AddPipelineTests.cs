using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Pipeline;

/// <summary>Composing pipelines with <c>AddPipeline</c>, as in Polly (issue 25, API shapes).</summary>
public class AddPipelineTests
{
    [Fact]
    public async Task AddPipeline_InnerStrategiesRunInPlace_AndShareTheirState()
    {
        var time = new FakeTimeProvider();
        var state = new CircuitBreakerStateProvider();
        var shared = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 2, StateProvider = state })
            .Build();
        var composed = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero })
            .AddPipeline(shared)
            .Build();
        var calls = 0;

        var outcome = await composed.ExecuteOutcomeAsync<int, int>((_, _) => { calls++; throw new IOException(); }, 0);

        outcome.Exception.Should().BeOfType<IOException>();
        calls.Should().Be(2, "the retry outside wraps the composed breaker");
        state.State.Should().Be(CircuitState.Open, "the breaker is the composed pipeline's own instance, as in Polly");
        (await shared.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<BrokenCircuitException>();
    }

    [Fact]
    public void AddPipeline_KeepsOrder()
    {
        var order = new List<string>();
        var inner = new ResiliencePipelineBuilder().AddStrategy(_ => new RecordingStrategy("b", order)).AddStrategy(_ => new RecordingStrategy("c", order)).Build();
        var composed = new ResiliencePipelineBuilder()
            .AddStrategy(_ => new RecordingStrategy("a", order))
            .AddPipeline(inner)
            .AddPipeline(ResiliencePipeline.Empty)
            .AddStrategy(_ => new RecordingStrategy("d", order))
            .Build();

        composed.Execute(static () => 1);

        order.Where(e => e.StartsWith("enter", StringComparison.Ordinal)).Should().Equal("enter a", "enter b", "enter c", "enter d");
    }

    [Fact]
    public async Task AddPipeline_GenericBuilder_TakesGenericAndNonGenericPipelines()
    {
        var typed = new ResiliencePipelineBuilder<string>().AddFallback("cached").Build();
        var any = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, MaxRetryAttempts = 1 }).Build();
        var calls = 0;
        var composed = new ResiliencePipelineBuilder<string>().AddPipeline(typed).AddPipeline(any).Build();

        var result = await composed.ExecuteAsync(_ => { calls++; return ValueTask.FromException<string>(new IOException()); });

        result.Should().Be("cached");
        calls.Should().Be(2);
    }

    [Fact]
    public void AddPipeline_Null_Throws()
    {
        var act = () => new ResiliencePipelineBuilder().AddPipeline(null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("pipeline");
    }

    [Fact]
    public void AddPipeline_SuccessPath_AllocatesNothing()
    {
        var inner = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();
        var composed = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).AddPipeline(inner).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(composed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }
}
