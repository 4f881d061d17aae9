using System.Threading.RateLimiting;
using Resilience.RateLimiting;

namespace Resilience.Tests.RateLimiting;

public class RateLimiterOwnershipTests
{
    [Fact]
    public async Task Shorthand_EachBuildGetsItsOwnLimiter()
    {
        var builder = new ResiliencePipelineBuilder().AddConcurrencyLimiter(permitLimit: 1);
        using var first = builder.Build();
        using var second = builder.Build();
        var gate = new TaskCompletionSource<int>();
        var holding = first.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        var outcome = await second.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeNull("the second pipeline has a permit of its own");
        gate.SetResult(1);
        await holding;
    }

    [Fact]
    public async Task Dispose_DisposesTheLimitersThePipelineCreated()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTokenBucketLimiter(tokenLimit: 5, tokensPerPeriod: 1, TimeSpan.FromSeconds(1)).Build();
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeNull();

        await pipeline.DisposeAsync();
        pipeline.Dispose();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        outcome.Exception.Should().BeOfType<ObjectDisposedException>();
    }

    [Fact]
    public async Task Dispose_LeavesALimiterTheCallerPassedIn()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1 });
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();

        pipeline.Dispose();

        using var lease = limiter.AttemptAcquire();
        lease.IsAcquired.Should().BeTrue("the caller owns the limiter it passed in");
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<RateLimiterRejectedException>();
    }

    [Fact]
    public async Task ResultPipeline_Dispose_DisposesItsLimiters()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddFixedWindowLimiter(permitLimit: 5, TimeSpan.FromSeconds(1)).Build();

        await pipeline.DisposeAsync();

        var act = async () => await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        await act.Should().ThrowAsync<ObjectDisposedException>();
    }
}
