using Resilience.Internal;
using Resilience.Retry;

namespace Resilience.Tests.Pipeline;

/// <summary>
/// The pipeline runs its own strategies without an exception handler around the walk; a strategy from another
/// assembly that breaks the never-throw contract is guarded where the chain is made, so its failure still reaches the
/// caller through the task, and the strategies around it see it as an outcome.
/// </summary>
public class ContractGuardTests
{
    [Fact]
    public async Task ForeignStrategyThrowsSynchronously_ExecuteAsyncReturnsAFaultedTaskInsteadOfThrowing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddStrategy(_ => new InnerFaultTests.ThrowingStrategy { Mode = InnerFaultTests.ThrowingStrategy.Throw.Synchronously }).Build();

        ValueTask<int> pending = default;
        var start = () => pending = pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1);

        start.Should().NotThrow("a failure travels in the task, as from an async method");
        await FluentActions.Awaiting(async () => await pending).Should().ThrowAsync<FormatException>();
        (await pipeline.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 1)).Exception.Should().BeOfType<FormatException>();
        FluentActions.Invoking(() => pipeline.Execute(static () => 1)).Should().Throw<FormatException>();
    }

    [Fact]
    public async Task ForeignStrategyInsideARetryThrowsOnce_TheRetryHandlesTheThrowAsAnOutcome()
    {
        var flaky = new ThrowsOnceStrategy();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Exception is FormatException })
            .AddStrategy(_ => flaky)
            .Build();

        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 5)).Should().Be(5);
        flaky.Calls.Should().Be(2);
    }

    [Fact]
    public void Chain_GuardsOnlyStrategiesFromOtherAssemblies()
    {
        var foreign = new ThrowsOnceStrategy();
        var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).AddStrategy(_ => foreign).Build();

        pipeline.Strategies[0].Should().BeOfType<RetryStrategy<object>>("the library's own strategies keep the contract");
        pipeline.Strategies[1].Should().BeOfType<ContractGuardStrategy>().Which.Inner.Should().BeSameAs(foreign);

        var composed = new ResiliencePipelineBuilder().AddPipeline(pipeline).Build();
        composed.Strategies[1].Should().BeSameAs(pipeline.Strategies[1], "a composed guard is not guarded twice");
    }

    private sealed class ThrowsOnceStrategy : ResilienceStrategy
    {
        public int Calls { get; private set; }

        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            if (++Calls == 1)
            {
                throw new FormatException("strategy bug");
            }

            return callback(context, state);
        }
    }
}
