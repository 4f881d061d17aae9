using System.Threading.RateLimiting;
using Resilience.CircuitBreaker;
using Resilience.RateLimiting;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Docs.Tests;

/// <summary>
/// Pins what docs/migration-from-polly.md says about our side of each changed default and behaviour, so a change to one
/// of them fails here until the page says so too. (Polly's side was read from its sources; see the page.)
/// </summary>
public sealed class MigrationFromPollyClaimsTests
{
    [Fact]
    public void Retry_defaults_are_exponential_from_200_ms_with_full_jitter_capped_at_30_s()
    {
        var options = new RetryStrategyOptions();

        options.MaxRetryAttempts.Should().Be(3);
        options.BackoffType.Should().Be(BackoffType.Exponential);
        options.BaseDelay.Should().Be(TimeSpan.FromMilliseconds(200));
        options.MaxDelay.Should().Be(TimeSpan.FromSeconds(30));
        options.Jitter.Should().Be(JitterMode.Full);
        options.JitterRange.Should().Be(0.2);
        options.MaxRetryDuration.Should().BeNull();
        options.Name.Should().BeNull();
    }

    [Fact]
    public async Task Retry_handles_only_transient_exceptions_by_default()
    {
        (await CallsUntilGivingUp(new TimeoutException("transient"))).Should().Be(4, "a timeout is transient: 1 call + 3 retries");
        (await CallsUntilGivingUp(new InvalidOperationException("permanent"))).Should().Be(1, "Polly would retry it; we do not");
    }

    [Fact]
    public async Task Attempt_numbers_of_OnRetry_and_DelayGenerator_start_at_1()
    {
        var onRetry = new List<int>();
        var generator = new List<int>();
        var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            BaseDelay = TimeSpan.Zero,
            DelayGenerator = args => { generator.Add(args.AttemptNumber); return new ValueTask<TimeSpan?>(TimeSpan.Zero); },
            OnRetry = args => { onRetry.Add(args.AttemptNumber); return default; },
        }).Build();

        await FluentActions.Awaiting(() => pipeline.ExecuteAsync(static _ => throw new TimeoutException()).AsTask())
            .Should().ThrowAsync<TimeoutException>();

        onRetry.Should().Equal(1, 2, 3);
        generator.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task A_throwing_event_callback_fails_the_call_as_in_Polly()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            BaseDelay = TimeSpan.Zero,
            OnRetry = _ => throw new InvalidOperationException("the callback's own bug"),
        }).Build();

        var act = async () => await pipeline.ExecuteAsync(_ => ++calls < 2 ? throw new TimeoutException() : new ValueTask<int>(42));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("the callback's own bug");
        calls.Should().Be(1, "the callback failed before the retry ran");
    }

    [Fact]
    public void MaxDelay_has_no_null_accepts_a_day_refuses_more_and_not_less_than_BaseDelay()
    {
        var day = new RetryStrategyOptions { MaxDelay = TimeSpan.FromDays(1), BaseDelay = TimeSpan.FromHours(1), Jitter = JitterMode.None };
        day.PreviewDelays(3).Should().Equal(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4));
        new ResiliencePipelineBuilder().AddRetry(day).Build();
        FluentActions.Invoking(() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxDelay = TimeSpan.MaxValue }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RetryStrategyOptions.MaxDelay must be at most 1.00:00:00*");

        FluentActions.Invoking(() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.FromMinutes(1) }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RetryStrategyOptions.MaxDelay*");
    }

    [Fact]
    public void The_pages_Polly_defaults_give_Pollys_delays()
    {
        // The options of the page's "Polly v8's retry defaults" block.
        var pollyDefaults = new RetryStrategyOptions
        {
            BackoffType = BackoffType.Constant,
            BaseDelay = TimeSpan.FromSeconds(2),
            Jitter = JitterMode.None,
            MaxDelay = TimeSpan.FromDays(1),
        };

        pollyDefaults.PreviewDelays(3).Should().Equal(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Circuit_breaker_timeout_and_bulkhead_defaults()
    {
        var breaker = new CircuitBreakerStrategyOptions();
        breaker.FailureRatio.Should().Be(0.5);
        breaker.MinimumThroughput.Should().Be(10);
        breaker.SamplingDuration.Should().Be(TimeSpan.FromSeconds(30));
        breaker.BreakDuration.Should().Be(TimeSpan.FromSeconds(5));
        breaker.PermittedCallsInHalfOpen.Should().Be(1);
        breaker.MaxWaitInHalfOpen.Should().Be(TimeSpan.FromMinutes(1));

        new TimeoutStrategyOptions().Timeout.Should().Be(TimeSpan.FromSeconds(30));

        var bulkhead = new Bulkhead.BulkheadStrategyOptions();
        bulkhead.MaxConcurrency.Should().Be(10);
        bulkhead.MaxQueueLength.Should().Be(0);
        bulkhead.QueueTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_rate_limiter_strategy_has_no_default_limiter()
    {
        FluentActions.Invoking(() => new ResiliencePipelineBuilder().AddRateLimiter(new RateLimiterStrategyOptions()))
            .Should().Throw<ArgumentNullException>().WithMessage("*RateLimiterStrategyOptions.RateLimiter*");

        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1 });
        new ResiliencePipelineBuilder().AddRateLimiter(new RateLimiterStrategyOptions { RateLimiter = limiter }).Build();
    }

    private static async Task<int> CallsUntilGivingUp(Exception failure)
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(_ =>
            {
                calls++;
                throw failure;
            });
        }
        catch (Exception thrown) when (thrown == failure)
        {
            // The last outcome is the failure itself.
        }

        return calls;
    }
}
