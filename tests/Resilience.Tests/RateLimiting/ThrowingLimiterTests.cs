using System.Threading.RateLimiting;

namespace Resilience.Tests.RateLimiting;

/// <summary>
/// A limiter the caller supplies is foreign code inside a library strategy: whatever it throws becomes the call's
/// outcome, delivered through the task, as with any other failure inside a pipeline.
/// </summary>
public class ThrowingLimiterTests
{
    [Fact]
    public async Task LimiterAcquisitionFaultsAsynchronously_TheFailureIsTheOutcome()
    {
        var limiter = new ThrowingLimiter { FaultAsync = true };
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();

        (await pipeline.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 1)).Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LimiterThrows_ExecuteAsyncReturnsAFaultedTaskAndTheNextCallRuns(bool attemptOnly)
    {
        var limiter = new ThrowingLimiter();
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();
        limiter.Throw = true;
        limiter.AttemptOnly = attemptOnly;

        ValueTask<int> pending = default;
        FluentActions.Invoking(() => pending = pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1)).Should().NotThrow();
        await FluentActions.Awaiting(async () => await pending).Should().ThrowAsync<InvalidOperationException>().WithMessage("limiter bug");
        (await pipeline.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 1)).Exception.Should().BeOfType<InvalidOperationException>();

        limiter.Throw = false;
        (await pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 7)).Should().Be(7);
    }

    private sealed class ThrowingLimiter : RateLimiter
    {
        public bool Throw { get; set; }

        public bool AttemptOnly { get; set; }

        public bool FaultAsync { get; set; }

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
            => Throw ? throw new InvalidOperationException("limiter bug") : new Granted();

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
            => FaultAsync ? ValueTask.FromException<RateLimitLease>(new InvalidOperationException("limiter bug")) : Throw && !AttemptOnly ? throw new InvalidOperationException("limiter bug") : new ValueTask<RateLimitLease>(AttemptAcquireCore(permitCount));
    }

    private sealed class Granted : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
