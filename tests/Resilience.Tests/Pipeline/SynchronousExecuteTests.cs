using Resilience.Retry;

namespace Resilience.Tests.Pipeline;

public class SynchronousExecuteTests
{
    [Fact]
    public void Execute_AnEventCallbackGoesAsynchronous_TheCallWaitsForItAndReturns()
    {
        var callbacks = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                BaseDelay = TimeSpan.Zero,
                OnRetry = async _ =>
                {
                    await Task.Yield();
                    callbacks++;
                },
            })
            .Build();
        var calls = 0;

        var result = pipeline.Execute(() => ++calls == 1 ? throw new IOException() : calls);

        result.Should().Be(2, "the documented exception to synchronous waiting: the call blocked on the callback's task, then retried");
        callbacks.Should().Be(1);
    }
}
