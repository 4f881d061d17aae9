using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Telemetry;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// Listening turns on the observed path of every pipeline in the process; these tests run alone (after the parallel
/// ones) so the allocation tests never see a listener.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class TelemetryTests
{
    [Fact]
    public async Task ThrowingCallback_IsReportedOnCallbackFailuresAndReachesTheCaller()
    {
        using var failures = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.CallbackFailures);
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-cb" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, OnOpened = _ => throw new InvalidOperationException("handler bug") })
            .Build();

        // Issue 16, Minor 14: a user callback's exception reaches the caller (as in Polly), and is still counted.
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException("real")).AsTask()).Should().ThrowAsync<InvalidOperationException>();

        var measurement = failures.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-cb")).Subject;
        measurement.Tags[ResilienceTelemetryNames.EventTag].Should().Be("OnCircuitOpened");
        measurement.Tags[ResilienceTelemetryNames.ExceptionTag].Should().Be(typeof(InvalidOperationException).FullName);
    }

    [Fact]
    public async Task StrategyEvents_AreCountedWithPipelineStrategyAndEventTags()
    {
        using var events = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Events);
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-retry" }
            .AddRetry(new RetryStrategyOptions { Name = "orders-retry", MaxRetryAttempts = 2, BaseDelay = TimeSpan.Zero })
            .Build();

        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();

        var ours = events.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-retry")).ToList();
        ours.Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Equal("OnRetry", "OnRetry", "OnRetriesExhausted");
        ours.Should().OnlyContain(m => Equals(m.Tags[ResilienceTelemetryNames.StrategyTag], "orders-retry"));
    }

    [Fact]
    public async Task Instruments_AttemptsDurationsFamiliesAndGauges()
    {
        using var attempts = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.Attempts);
        using var durations = new MetricCollector<double>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.PipelineDuration);
        using var retries = new MetricCollector<long>(null, ResilienceTelemetryNames.Meter, "resilience.retry.retries");
        using var states = new MetricCollector<int>(null, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.CircuitState);
        var breaker = new SharedCircuitBreaker("telemetry-breaker", new CircuitBreakerStrategyOptions());
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-instruments" }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero })
            .AddCircuitBreaker(breaker)
            .Build();
        var calls = 0;

        await pipeline.ExecuteAsync(_ => ++calls == 1 ? throw new IOException() : new ValueTask<int>(1));
        await breaker.IsolateAsync();
        states.RecordObservableInstruments();

        attempts.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-instruments"))
            .Select(m => (m.Tags[ResilienceTelemetryNames.OutcomeTag], m.Tags[ResilienceTelemetryNames.ErrorTypeTag]))
            .Should().Equal(("failure", typeof(IOException).FullName), ("success", null));
        durations.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-instruments") && Equals(m.Tags[ResilienceTelemetryNames.OutcomeTag], "success"));
        retries.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.PipelineTag], "telemetry-instruments"));
        states.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags[ResilienceTelemetryNames.BreakerTag], "telemetry-breaker") && m.Value == (int)CircuitState.Isolated);
    }

    [Fact]
    public async Task ActivitySource_SpanPerExecutionWithEventsWhenListened()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ResilienceTelemetryNames.ActivitySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var pipeline = new ResiliencePipelineBuilder { Name = "telemetry-trace" }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, BaseDelay = TimeSpan.Zero })
            .Build();
        var calls = 0;

        await pipeline.ExecuteAsync(_ => ++calls == 1 ? throw new IOException() : new ValueTask<int>(1));

        var span = spans.Should().ContainSingle(a => Equals(a.GetTagItem(ResilienceTelemetryNames.PipelineTag), "telemetry-trace")).Subject;
        span.OperationName.Should().Be("resilience.pipeline");
        span.Events.Select(e => e.Name).Should().Contain("OnRetry");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListenersDefinition
{
    public const string Name = "Telemetry listeners";
}
