using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Telemetry;

/// <summary>
/// A container's meter (from its meter factory) reports what that container built, and is forgotten with it.
/// </summary>
[Collection(TelemetryListenersDefinition.Name)]
public class MeterScopeTests
{
    [Fact]
    public void MetersOfDisposedFactories_AreNotKeptByTheLibrary()
    {
        var before = ResilienceInstruments.TrackedMeterCount;

        for (var i = 0; i < 200; i++)
        {
            BuildAndDisposeAContainer();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResilienceInstruments.TrackedMeterCount.Should().BeLessThan(before + 10);
    }

    [Fact]
    public void Gauges_OfOneMeterFactory_ReportOnlyWhatItsPipelinesUse()
    {
        using var first = new TestMeterFactory();
        using var second = new TestMeterFactory();
        using var states = new MetricCollector<int>(first, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.CircuitState);
        using var inUse = new MetricCollector<int>(first, ResilienceTelemetryNames.Meter, ResilienceTelemetryNames.BulkheadInUse);
        var shared = new SharedCircuitBreaker("scope-shared", new CircuitBreakerStrategyOptions());
        var ours = new ResiliencePipelineBuilder { Name = "scope-a", MeterFactory = first }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { Name = "scope-a" })
            .AddCircuitBreaker(shared)
            .AddBulkhead(new BulkheadStrategyOptions { Name = "scope-a", MaxConcurrency = 2 })
            .Build();
        var theirs = new ResiliencePipelineBuilder { Name = "scope-b", MeterFactory = second }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { Name = "scope-b" })
            .AddBulkhead(new BulkheadStrategyOptions { Name = "scope-b", MaxConcurrency = 2 })
            .Build();
        var unused = new ResiliencePipelineBuilder { Name = "scope-c" }.AddCircuitBreaker(new CircuitBreakerStrategyOptions { Name = "scope-c" }).Build();

        states.RecordObservableInstruments();
        inUse.RecordObservableInstruments();

        states.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.BreakerTag]).Should().BeEquivalentTo(["scope-a", "scope-shared"]);
        inUse.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.BulkheadTag]).Should().BeEquivalentTo(["scope-a"]);
        GC.KeepAlive(ours);
        GC.KeepAlive(theirs);
        GC.KeepAlive(unused);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void BuildAndDisposeAContainer()
    {
        using var meters = new TestMeterFactory();
        var pipeline = new ResiliencePipelineBuilder { MeterFactory = meters }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
            .Build();
        pipeline.Execute(static () => 1);
    }
}
