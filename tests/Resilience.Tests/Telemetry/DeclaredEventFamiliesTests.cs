using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Each strategy declares the counters of its events; telemetry knows none of them in advance.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class DeclaredEventFamiliesTests
{
    [Theory]
    [InlineData("resilience.circuit_breaker.transitions", "OnCircuitOpened")]
    [InlineData("resilience.circuit_breaker.rejections", "OnCircuitRejected")]
    [InlineData("resilience.bulkhead.rejections", "OnBulkheadRejected")]
    [InlineData("resilience.fallback.fallbacks", "OnFallback")]
    [InlineData("resilience.retry.retries", "OnRetry")]
    [InlineData("resilience.retry.exhausted", "OnRetriesExhausted")]
    public async Task EachStrategysEvents_AreCountedOnTheFamilyItDeclares(string counter, string eventName)
    {
        using var meters = new TestMeterFactory();
        using var family = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, counter);
        using var failing = new ResiliencePipelineBuilder<int> { Name = "families", MeterFactory = meters }
            .AddFallback(-1)
            .AddRetry(new global::Resilience.Retry.RetryStrategyOptions<int> { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Exception is not null })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<int> { ConsecutiveFailureThreshold = 1 })
            .Build();
        using var crowded = new ResiliencePipelineBuilder<int> { Name = "families", MeterFactory = meters }.AddBulkhead(1).Build();
        var gate = new TaskCompletionSource<int>();

        // A failure opens the breaker, the retry meets the open circuit and runs out, the fallback answers.
        await failing.ExecuteAsync(static _ => throw new IOException());

        // One call holds the bulkhead's only slot while a second is rejected.
        var holding = crowded.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        await crowded.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        gate.SetResult(1);
        await holding;

        family.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.EventTag], eventName));
    }

    [Fact]
    public async Task RateLimiterRejection_IsCountedOnItsFamily()
    {
        using var meters = new TestMeterFactory();
        using var family = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, "resilience.rate_limiter.rejections");
        using var pipeline = new ResiliencePipelineBuilder { MeterFactory = meters }.AddConcurrencyLimiter(permitLimit: 1).Build();
        var gate = new TaskCompletionSource<int>();
        var holding = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();

        await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        gate.SetResult(1);
        await holding;

        family.GetMeasurementSnapshot().Should().ContainSingle();
    }

    [Fact]
    public async Task Timeout_IsCountedOnItsFamily()
    {
        using var meters = new TestMeterFactory();
        using var family = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, "resilience.timeout.timeouts");
        var time = new FakeTimeProvider();
        using var pipeline = new ResiliencePipelineBuilder { MeterFactory = meters, TimeProvider = time }.AddTimeout(TimeSpan.FromSeconds(1)).Build();
        var started = new TaskCompletionSource();

        var running = pipeline.ExecuteOutcomeAsync(
            static async (s, ct) =>
            {
                s.SetResult();
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
                return 1;
            },
            started).AsTask();
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(1));

        (await running).Exception.Should().BeOfType<global::Resilience.Timeout.TimeoutRejectedException>();
        family.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags[ResilienceTelemetryNames.EventTag], "OnTimeout"));
    }
}
