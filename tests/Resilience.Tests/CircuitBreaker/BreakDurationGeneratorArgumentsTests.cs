using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;

namespace Resilience.Tests.CircuitBreaker;

/// <summary>Polly's break duration generator arguments: failure rate, failure count and context (issue 25, API shapes).</summary>
public class BreakDurationGeneratorArgumentsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<BreakDurationGeneratorArguments> _seen = [];
    private readonly List<string?> _keys = [];

    [Fact]
    public async Task FailureRatioTrip_GeneratorSeesRateCountAndTheTrippingCallsContext()
    {
        var pipeline = Build(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 4, SamplingWindow = SamplingWindow.CountBased, WindowSize = 4 });

        await RunAsync(pipeline, fail: false, "a");
        await RunAsync(pipeline, fail: false, "b");
        await RunAsync(pipeline, fail: true, "c");
        await RunAsync(pipeline, fail: true, "d");

        var args = _seen.Should().ContainSingle().Which;
        args.FailureRate.Should().Be(0.5);
        args.FailureCount.Should().Be(2);
        _keys.Should().Equal("d");
        args.Reason.Should().Be(CircuitOpenReason.FailureRatio);
    }

    [Fact]
    public async Task ConsecutiveTrip_GeneratorSeesTheRunOfFailures()
    {
        var pipeline = Build(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 3 });

        for (var i = 0; i < 3; i++)
        {
            await RunAsync(pipeline, fail: true, "x");
        }

        var args = _seen.Should().ContainSingle().Which;
        args.FailureCount.Should().Be(3);
        args.FailureRate.Should().Be(1.0, "every call of the run failed");
        _keys.Should().Equal("x");
    }

    [Fact]
    public void OldConstructor_LeavesTheNewValuesEmpty()
    {
        var args = new BreakDurationGeneratorArguments(1, CircuitOpenReason.FailureRatio, TimeSpan.FromSeconds(5));

        args.FailureRate.Should().Be(0);
        args.FailureCount.Should().Be(0);
        args.Context.Should().BeNull();
    }

    private ResiliencePipeline Build(CircuitBreakerStrategyOptions options)
    {
        options.BreakDurationGenerator = args =>
        {
            _seen.Add(args);
            _keys.Add(args.Context?.OperationKey);
            return TimeSpan.FromSeconds(5);
        };
        return new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(options).Build();
    }

    private static async Task RunAsync(ResiliencePipeline pipeline, bool fail, string key)
    {
        var context = ResilienceContextPool.Shared.Get(key);
        await pipeline.ExecuteOutcomeAsync(
            static (_, failing) => ValueTask.FromResult(failing ? Outcome.FromException<int>(new IOException()) : Outcome.FromResult(1)),
            context,
            fail);
        ResilienceContextPool.Shared.Return(context);
    }
}
