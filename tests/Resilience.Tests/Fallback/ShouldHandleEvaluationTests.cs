using Resilience.Fallback;

namespace Resilience.Tests.Fallback;

/// <summary>
/// Polly evaluates a fallback's ShouldHandle once, on the original outcome; the fallback action's outcome is returned
/// without being judged. A chain asks again only where the answer decides whether the next action runs. Issue 25,
/// behaviour 3.
/// </summary>
public class ShouldHandleEvaluationTests
{
    [Fact]
    public async Task ExecuteAsync_SingleAction_ShouldHandleSeesOnlyTheOriginalOutcome()
    {
        var judged = new List<string>();
        var options = new FallbackStrategyOptions<string>
        {
            ShouldHandle = outcome =>
            {
                judged.Add(outcome.Exception?.Message ?? outcome.Result!);
                return true;
            },
        };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("cached"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new HttpRequestException("primary down"));

        result.Should().Be("cached");
        judged.Should().Equal("primary down");
    }

    [Fact]
    public async Task ExecuteAsync_SingleAction_ShouldHandleThatThrowsOnFallbackResultIsNotAsked()
    {
        var options = new FallbackStrategyOptions<string>
        {
            ShouldHandle = outcome => outcome.Exception is not null ? true : throw new InvalidOperationException("judged the fallback's result"),
        };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("cached"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var pending = pipeline.ExecuteAsync(static async _ =>
        {
            await Task.Yield();
            throw new HttpRequestException("primary down");
        });

        (await pending).Should().Be("cached");
    }

    [Fact]
    public async Task ExecuteAsync_NonGenericPipeline_ShouldHandleSeesOnlyTheOriginalOutcome()
    {
        var calls = 0;
        var options = new FallbackStrategyOptions
        {
            ShouldHandle = _ =>
            {
                calls++;
                return true;
            },
        };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask<object>(7));
        var pipeline = new ResiliencePipelineBuilder().AddFallback(options).Build();

        (await pipeline.ExecuteAsync<int>(static _ => throw new HttpRequestException("down"))).Should().Be(7);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_Chain_NotAskedAboutTheLastActionsOutcome()
    {
        var judged = new List<string>();
        var options = new FallbackStrategyOptions<string>
        {
            ShouldHandle = outcome =>
            {
                judged.Add(outcome.Exception?.Message ?? outcome.Result!);
                return true;
            },
        };
        options.FallbackActions.Add(static _ => Outcome.FromExceptionAsValueTask<string>(new HttpRequestException("replica down")));
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("from cache"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new HttpRequestException("primary down"));

        result.Should().Be("from cache");
        judged.Should().Equal(["primary down", "replica down"], "the first action's outcome decides whether the second runs; nothing decides after the last");
    }
}
