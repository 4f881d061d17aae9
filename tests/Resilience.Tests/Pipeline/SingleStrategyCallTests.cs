using Resilience.Internal;

namespace Resilience.Tests.Pipeline;

/// <summary>
/// A one-strategy pipeline calls its strategy through a delegate resolved once for the first result and state types:
/// it must follow a reload to the new strategy, and calls of other types must still reach the strategy.
/// </summary>
public sealed class SingleStrategyCallTests
{
    [Fact]
    public async Task Reload_OfAOneStrategyChain_CallsTheNewStrategy()
    {
        var first = new CountingStrategy();
        var second = new CountingStrategy();
        var chain = new StrategyChain([first]);
        var pipeline = new ResiliencePipeline(chain, name: null);

        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1)).Should().Be(1);
        chain.ReplaceWith(new StrategyChain([second]));
        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 2)).Should().Be(2);

        first.Calls.Should().Be(1);
        second.Calls.Should().Be(1, "the call after the reload runs the new strategy, not the one its cached call was made for");
    }

    [Fact]
    public async Task CallsOfOtherTypes_AfterTheFirst_StillRunTheStrategy()
    {
        var strategy = new CountingStrategy();
        var pipeline = new ResiliencePipeline(new StrategyChain([strategy]), name: null);

        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1)).Should().Be(1);
        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<string>(s), "two")).Should().Be("two");
        (await pipeline.ExecuteAsync(static _ => new ValueTask<long>(3L))).Should().Be(3L);
        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 4)).Should().Be(4);

        strategy.Calls.Should().Be(4);
    }

    [Fact]
    public async Task CallsOfOtherTypes_AllocateNothingOnceWarm()
    {
        var pipeline = new ResiliencePipeline(new StrategyChain([new CountingStrategy()]), name: null);
        await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1);
        await pipeline.ExecuteAsync(static (s, _) => new ValueTask<long>(s), 2L);

        const int Calls = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            await pipeline.ExecuteAsync(static (s, _) => new ValueTask<long>(s), 2L);
        }

        // A delegate and its holder per call would be over 64 B a call; the runtime may allocate once (tiering).
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(Calls, "types other than the cached ones dispatch as usual, with no delegate made per call");
    }

    private sealed class CountingStrategy : ResilienceStrategy
    {
        public int Calls { get; private set; }

        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            Calls++;
            return callback(context, state);
        }
    }
}
