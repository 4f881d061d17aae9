using Resilience.CircuitBreaker;

namespace Resilience.Tests.CircuitBreaker;

/// <summary>
/// The time-based window of a breaker on the system clock counts with the coarse tick count (issue 24); it must still
/// trip on the failure ratio and stay closed below it. Both happen within one bucket, so no real time passes.
/// </summary>
public class SystemClockWindowTests
{
    [Fact]
    public async Task TimeBasedWindow_OnTheSystemClock_TripsOnTheFailureRatio()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromMinutes(1), BreakDuration = TimeSpan.FromMinutes(1) })
            .Build();

        for (var i = 0; i < 6; i++)
        {
            await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        }

        for (var i = 0; i < 4; i++)
        {
            (await pipeline.ExecuteOutcomeAsync<int, int>(static (_, _) => throw new TimeoutException(), 0)).Exception.Should().BeOfType<TimeoutException>();
        }

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Result.Should().Be(1, "4 failures in 10 calls is below the ratio");
        for (var i = 0; i < 3; i++)
        {
            // 5 of 12, 6 of 13, then 7 of 14 calls: the last one reaches the ratio.
            (await pipeline.ExecuteOutcomeAsync<int, int>(static (_, _) => throw new TimeoutException(), 0)).Exception.Should().BeOfType<TimeoutException>();
        }

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<BrokenCircuitException>("7 failures in 14 calls of the last minute tripped it");
    }

    [Fact]
    public async Task ShortBuckets_OnTheSystemClock_StillCountExactly()
    {
        // 10 buckets of 10 ms: finer than the coarse tick, so the exact timestamp is kept.
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 1.0, MinimumThroughput = 2, SamplingDuration = TimeSpan.FromMilliseconds(100), BreakDuration = TimeSpan.FromMinutes(1) })
            .Build();

        await pipeline.ExecuteOutcomeAsync<int, int>(static (_, _) => throw new TimeoutException(), 0);
        await pipeline.ExecuteOutcomeAsync<int, int>(static (_, _) => throw new TimeoutException(), 0);

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<BrokenCircuitException>("two failures in a row, back to back, fall in one window whatever the clock");
    }

    [Fact]
    public void TimeWindow_CountedInMilliseconds_ForgetsCallsOlderThanTheSamplingDuration()
    {
        // The coarse clock's unit: a 60 s window of 10 buckets is 6,000 ticks of 1 ms each.
        var metrics = new Resilience.CircuitBreaker.Internal.TimeWindowMetrics(TimeSpan.FromMinutes(1), 10, TimeSpan.MillisecondsPerSecond);
        var start = 1_000_000L;

        metrics.Record(failure: true, slow: false, start);
        metrics.Record(failure: false, slow: false, start + 1);

        metrics.Snapshot(start + 53_999).Should().Be(new Resilience.CircuitBreaker.Internal.HealthSnapshot(2, 1, 0), "both calls are within the last minute");
        metrics.Snapshot(start + 60_000).Should().Be(new Resilience.CircuitBreaker.Internal.HealthSnapshot(0, 0, 0), "a minute later their bucket has left the window");
    }
}
