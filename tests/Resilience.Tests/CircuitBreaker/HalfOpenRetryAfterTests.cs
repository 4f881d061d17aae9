using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;

namespace Resilience.Tests.CircuitBreaker;

/// <summary>
/// A call rejected while half-open (every probe slot taken) reports a RetryAfter as Polly does: the break duration,
/// counted from the moment the probe was let through. Issue 25, behaviour 2.
/// </summary>
public class HalfOpenRetryAfterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task HalfOpen_ProbeInFlight_RejectionReportsBreakDurationCountedFromProbe()
    {
        var pipeline = Build(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        await FailAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(30));
        var hung = new TaskCompletionSource<int>();
        var probe = pipeline.ExecuteAsync(_ => new ValueTask<int>(hung.Task)).AsTask();

        RetryAfterOfRejection(await RejectedAsync(pipeline)).Should().Be(TimeSpan.FromSeconds(30), "the probe has just started");
        _time.Advance(TimeSpan.FromSeconds(10));
        RetryAfterOfRejection(await RejectedAsync(pipeline)).Should().Be(TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(25));
        RetryAfterOfRejection(await RejectedAsync(pipeline)).Should().Be(TimeSpan.Zero, "the probe outlasted a break: a slot may free at any moment");

        hung.SetResult(1);
        await probe;
    }

    [Fact]
    public async Task HalfOpen_ProbeInFlight_RetryAfterUsesTheGeneratedBreak()
    {
        var pipeline = Build(new CircuitBreakerStrategyOptions
        {
            ConsecutiveFailureThreshold = 1,
            BreakDurationGenerator = _ => TimeSpan.FromSeconds(12),
        });
        await FailAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(12));
        var hung = new TaskCompletionSource<int>();
        var probe = pipeline.ExecuteAsync(_ => new ValueTask<int>(hung.Task)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        RetryAfterOfRejection(await RejectedAsync(pipeline)).Should().Be(TimeSpan.FromSeconds(10));

        hung.SetResult(1);
        await probe;
    }

    private static TimeSpan? RetryAfterOfRejection(Exception? rejection)
        => rejection.Should().BeOfType<BrokenCircuitException>().Which.RetryAfter;

    private ResiliencePipeline Build(CircuitBreakerStrategyOptions options)
        => new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(options).Build();

    private static async Task FailAsync(ResiliencePipeline pipeline)
        => await pipeline.ExecuteOutcomeAsync(static (_, _) => ValueTask.FromException<int>(new IOException("down")), 0);

    private static async Task<Exception?> RejectedAsync(ResiliencePipeline pipeline)
        => (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception;
}
