using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Tests.Pipeline;

/// <summary>
/// Issue 16, Major 1 and Major 6: every duration option is bounded to one day at build time, naming the option, so
/// no timer rejects a due time after a waiter was queued and no deadline arithmetic overflows.
/// </summary>
public class DurationBoundTests
{
    private static readonly TimeSpan TwoDays = TimeSpan.FromDays(2);

    public static TheoryData<Action<ResiliencePipelineBuilder>, string> TooLong => new()
    {
        { b => b.AddRetry(new RetryStrategyOptions { BaseDelay = TwoDays, MaxDelay = TwoDays }), "RetryStrategyOptions.BaseDelay" },
        { b => b.AddRetry(new RetryStrategyOptions { MaxDelay = TwoDays }), "RetryStrategyOptions.MaxDelay" },
        { b => b.AddRetry(new RetryStrategyOptions { MaxRetryDuration = TwoDays }), "RetryStrategyOptions.MaxRetryDuration" },
        { b => b.AddTimeout(TwoDays), "TimeoutStrategyOptions.Timeout" },
        { b => b.AddBulkhead(new BulkheadStrategyOptions { MaxQueueLength = 1, QueueTimeout = TwoDays }), "BulkheadStrategyOptions.QueueTimeout" },
        { b => b.AddBulkhead(new BulkheadStrategyOptions { MaxQueueLength = 1, QueueTimeout = TimeSpan.FromDays(50) }), "BulkheadStrategyOptions.QueueTimeout" },
        { b => b.AddCircuitBreaker(new CircuitBreakerStrategyOptions { BreakDuration = TwoDays }), "CircuitBreakerStrategyOptions.BreakDuration" },
        { b => b.AddCircuitBreaker(new CircuitBreakerStrategyOptions { SamplingDuration = TwoDays }), "CircuitBreakerStrategyOptions.SamplingDuration" },
        { b => b.AddCircuitBreaker(new CircuitBreakerStrategyOptions { MaxWaitInHalfOpen = TwoDays }), "CircuitBreakerStrategyOptions.MaxWaitInHalfOpen" },
        { b => b.AddCircuitBreaker(new CircuitBreakerStrategyOptions { SlowCallDuration = TwoDays }), "CircuitBreakerStrategyOptions.SlowCallDuration" },
    };

    [Theory]
    [MemberData(nameof(TooLong))]
    public void Add_DurationLongerThanOneDay_ThrowsNamingTheOptionAndTheBound(Action<ResiliencePipelineBuilder> add, string option)
    {
        var act = () => add(new ResiliencePipelineBuilder());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(option)
            .And.Message.Should().Contain($"{option} must be at most 1.00:00:00");
    }

    [Fact]
    public void SharedBulkhead_QueueTimeoutLongerThanOneDay_ThrowsNamingTheOption()
    {
        var act = () => new SharedBulkhead("b", new BulkheadStrategyOptions { MaxQueueLength = 1, QueueTimeout = TimeSpan.FromDays(60) });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("BulkheadStrategyOptions.QueueTimeout");
    }

    [Fact]
    public void Add_DurationOfExactlyOneDay_IsAccepted()
    {
        var oneDay = TimeSpan.FromDays(1);
        var act = () => new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { BaseDelay = oneDay, MaxDelay = oneDay, MaxRetryDuration = oneDay })
            .AddTimeout(oneDay)
            .AddBulkhead(new BulkheadStrategyOptions { MaxQueueLength = 1, QueueTimeout = oneDay })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { BreakDuration = oneDay, SamplingDuration = oneDay, MaxWaitInHalfOpen = oneDay, SlowCallDuration = oneDay })
            .Build();

        act.Should().NotThrow();
    }
}
