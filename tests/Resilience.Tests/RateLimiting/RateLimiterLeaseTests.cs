using System.Threading.RateLimiting;
using Resilience.RateLimiting;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.RateLimiting;

/// <summary>
/// The strategy runs a call over a token bucket or window limiter the builder made without holding or disposing the
/// acquired lease. These tests pin why that is safe: those limiters hand out one shared acquired lease (so disposing
/// it cannot release anything of one acquisition), while the concurrency limiter's lease is per call and still
/// disposed. A package update that changed this fails here.
/// </summary>
public class RateLimiterLeaseTests
{
    public static TheoryData<string> ReplenishingKinds => ["token bucket", "fixed window", "sliding window"];

    [Theory]
    [MemberData(nameof(ReplenishingKinds))]
    public async Task ReplenishingLimiter_HandsOutOneSharedAcquiredLease(string kind)
    {
        using var limiter = Replenishing(kind, queueLimit: 1);

        var first = limiter.AttemptAcquire(1);
        var second = limiter.AttemptAcquire(1);
        var queued = await limiter.AcquireAsync(1);

        first.IsAcquired.Should().BeTrue();
        second.Should().BeSameAs(first, "two acquisitions held at once share one lease, so it carries nothing to release");
        queued.Should().BeSameAs(first);
        first.Dispose();
        limiter.GetStatistics()!.CurrentAvailablePermits.Should().Be(7, "disposing a replenishing limiter's lease gives no permit back");
    }

    [Fact]
    public void ConcurrencyLimiter_HandsOutALeasePerCall()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 2, QueueLimit = 0 });

        using var first = limiter.AttemptAcquire(1);
        using var second = limiter.AttemptAcquire(1);

        second.Should().NotBeSameAs(first);
        first.Dispose();
        limiter.GetStatistics()!.CurrentAvailablePermits.Should().Be(1, "its lease gives the permit back, so the strategy keeps disposing it");
    }

    [Fact]
    public async Task BuilderMadeTokenBucket_CountsEveryCall_AndRejectsWithRetryAfterOnceEmpty()
    {
        var rejected = 0;
        var pipeline = new ResiliencePipelineBuilder().AddTokenBucketLimiter(tokenLimit: 3, tokensPerPeriod: 1, TimeSpan.FromHours(1)).Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1))).Should().Be(1);
        (await pipeline.ExecuteAsync(static async _ =>
        {
            await Task.Yield();
            return 2;
        })).Should().Be(2);
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();
        var outcome = await pipeline.ExecuteOutcomeAsync((_, _) => new ValueTask<int>(++rejected), 0);

        outcome.Exception.Should().BeOfType<RateLimiterRejectedException>().Which.RetryAfter.Should().Be(TimeSpan.FromHours(1));
        rejected.Should().Be(0, "the fourth call found the bucket empty and was not attempted");
    }

    [Fact]
    public void BuilderMadeTokenBucket_SuccessPath_AllocatesNothing()
    {
        using var pipeline = new ResiliencePipelineBuilder().AddTokenBucketLimiter(int.MaxValue, int.MaxValue, TimeSpan.FromSeconds(1)).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42))).Should().Be(0);
    }

    private static RateLimiter Replenishing(string kind, int queueLimit) => kind switch
    {
        "token bucket" => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions { TokenLimit = 10, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1), QueueLimit = queueLimit, AutoReplenishment = false }),
        "fixed window" => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromHours(1), QueueLimit = queueLimit, AutoReplenishment = false }),
        _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromHours(1), SegmentsPerWindow = 2, QueueLimit = queueLimit, AutoReplenishment = false }),
    };
}
