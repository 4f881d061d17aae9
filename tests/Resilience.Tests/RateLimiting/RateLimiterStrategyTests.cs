using System.Threading.RateLimiting;
using Resilience.RateLimiting;

namespace Resilience.Tests.RateLimiting;

public class RateLimiterStrategyTests
{
    [Fact]
    public async Task FixedWindowExhausted_RejectsWithRetryAfter()
    {
        using var limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = 2,
            Window = TimeSpan.FromMinutes(1),
            AutoReplenishment = false,
        });
        var rejections = 0;
        var pipeline = new ResiliencePipelineBuilder { Name = "quotes" }
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = limiter,
                OnRejected = _ =>
                {
                    rejections++;
                    return default;
                },
            })
            .Build();

        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        var rejected = outcome.Exception.Should().BeOfType<RateLimiterRejectedException>().Subject;
        rejected.RetryAfter.Should().Be(TimeSpan.FromMinutes(1));
        rejected.PipelineName.Should().Be("quotes");
        rejections.Should().Be(1);
    }

    [Fact]
    public async Task ConcurrencyLimiterFull_RejectsWithoutRetryAfter()
    {
        var pipeline = new ResiliencePipelineBuilder().AddConcurrencyLimiter(permitLimit: 1).Build();
        var gate = new TaskCompletionSource<int>();
        var running = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<RateLimiterRejectedException>().Which.RetryAfter.Should().BeNull();
        gate.SetResult(1);
        await running;
    }

    [Fact]
    public async Task EveryPath_DisposesTheLease()
    {
        using var limiter = new CountingLimiter(permits: 2);
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();

        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();
        await pipeline.ExecuteAsync(static async _ =>
        {
            await Task.Yield();
            return 1;
        });
        limiter.Permits = 0;
        await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        limiter.Leased.Should().Be(4, "one lease asked for per call, so a rejection is counted once in the limiter's statistics");
        limiter.Disposed.Should().Be(4, "success, failure, asynchronous completion and rejection all dispose their lease");
    }

    [Fact]
    public async Task QueueingLimiter_CallerCancelsWhileWaiting_ReportsCancellation()
    {
        var pipeline = new ResiliencePipelineBuilder().AddConcurrencyLimiter(permitLimit: 1, queueLimit: 1).Build();
        var gate = new TaskCompletionSource<int>();
        using var caller = new CancellationTokenSource();
        var running = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        var waiting = pipeline.ExecuteAsync(static _ => new ValueTask<int>(2), caller.Token).AsTask();

        await caller.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        gate.SetResult(1);
        await running;
    }

    [Fact]
    public void AddRateLimiter_NullLimiter_ThrowsNamingTheOption()
    {
        var act = () => new ResiliencePipelineBuilder().AddRateLimiter(new RateLimiterStrategyOptions());

        act.Should().Throw<ArgumentNullException>().WithParameterName("RateLimiterStrategyOptions.RateLimiter");
    }

    [Fact]
    public async Task ShorthandWithoutQueue_RejectionStillCarriesRetryAfter()
    {
        // Limiters the builder makes without a queue are asked synchronously; the refusal keeps the limiter's hint.
        var pipeline = new ResiliencePipelineBuilder().AddFixedWindowLimiter(permitLimit: 1, window: TimeSpan.FromHours(1)).Build();
        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<RateLimiterRejectedException>().Which.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task Shorthands_BuildWorkingLimiters()
    {
        var tokenBucket = new ResiliencePipelineBuilder().AddTokenBucketLimiter(1, 1, TimeSpan.FromHours(1)).Build();
        var sliding = new ResiliencePipelineBuilder().AddSlidingWindowLimiter(1, TimeSpan.FromHours(1), 2).Build();
        var fixedWindow = new ResiliencePipelineBuilder().AddFixedWindowLimiter(1, TimeSpan.FromHours(1)).Build();

        foreach (var pipeline in new[] { tokenBucket, sliding, fixedWindow })
        {
            (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1))).Should().Be(1);
            (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<RateLimiterRejectedException>();
        }
    }

    private sealed class CountingLimiter(int permits) : RateLimiter
    {
        public int Permits { get; set; } = permits;

        public int Leased { get; private set; }

        public int Disposed { get; private set; }

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease();

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => new(Lease());

        private CountingLease Lease()
        {
            Leased++;
            return new CountingLease(this, Permits > 0);
        }

        private sealed class CountingLease(CountingLimiter owner, bool acquired) : RateLimitLease
        {
            public override bool IsAcquired => acquired;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }

            protected override void Dispose(bool disposing)
            {
                owner.Disposed++;
                base.Dispose(disposing);
            }
        }
    }
}
