using Resilience.Retry;

namespace Resilience.Tests.Retry;

/// <summary>
/// The retry judges each attempt's outcome once, as Polly does: a rule with side effects (counting, logging) or one
/// that reads the attempt number must not see the first outcome twice.
/// </summary>
public class ShouldHandleOnceTests
{
    [Fact]
    public void SynchronousFailures_EachOutcomeJudgedOnce()
    {
        var judged = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = _ =>
                {
                    judged++;
                    return true;
                },
            })
            .Build();

        var act = () => pipeline.Execute(static () => throw new InvalidOperationException());

        act.Should().Throw<InvalidOperationException>();
        judged.Should().Be(3);
    }

    [Fact]
    public async Task AsynchronousFailures_EachOutcomeJudgedOnce()
    {
        var judged = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = _ =>
                {
                    judged++;
                    return true;
                },
            })
            .Build();

        var act = async () => await pipeline.ExecuteAsync(static async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException();
        });

        await act.Should().ThrowAsync<InvalidOperationException>();
        judged.Should().Be(3);
    }
}
