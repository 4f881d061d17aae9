using Resilience.CircuitBreaker;
using Resilience.Fallback;
using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Predicates;

/// <summary>
/// <c>ShouldHandleWithArguments</c>: a rule that sees the context (and, for retry, the attempt number), as Polly's
/// predicate arguments do (issue 25); the outcome-only <c>ShouldHandle</c> stays the fast path.
/// </summary>
public class PredicateArgumentsTests
{
    private static readonly ResiliencePropertyKey<bool> RetryMe = new("retry-me");

    [Fact]
    public void Retry_WithArguments_SeesTheCallersContextAndEachAttemptNumber()
    {
        var seen = new List<(int Attempt, bool Flag)>();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 5,
                BaseDelay = TimeSpan.Zero,
                ShouldHandleWithArguments = args =>
                {
                    seen.Add((args.AttemptNumber, args.Context.Properties.GetValue(RetryMe, false)));
                    return args.Outcome.Exception is InvalidOperationException && args.AttemptNumber < 3;
                },
            })
            .Build();
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(RetryMe, true);
        var calls = 0;

        var act = () => pipeline.Execute(_ =>
        {
            calls++;
            throw new InvalidOperationException();
        }, context);

        act.Should().Throw<InvalidOperationException>();
        calls.Should().Be(3);
        seen.Should().Equal((1, true), (2, true), (3, true));
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task Retry_WithArguments_AsynchronousAttempts_CountFromOne()
    {
        var attempts = new List<int>();
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = 5,
                BaseDelay = TimeSpan.Zero,
                ShouldHandleWithArguments = args =>
                {
                    attempts.Add(args.AttemptNumber);
                    return args.Outcome.Result < 0;
                },
            })
            .Build();
        var calls = 0;

        var result = await pipeline.ExecuteAsync(async _ =>
        {
            await Task.Yield();
            return ++calls < 3 ? -1 : calls;
        });

        result.Should().Be(3);
        attempts.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Retry_WithArguments_ReplacesTheOutcomeOnlyRule()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = static _ => false,
                ShouldHandleWithArguments = static args => args.Outcome.Exception is not null,
            })
            .Build();
        var calls = 0;

        var act = () => pipeline.Execute(() =>
        {
            calls++;
            throw new ArgumentException("not transient");
        });

        act.Should().Throw<ArgumentException>();
        calls.Should().Be(3);
    }

    [Fact]
    public void Retry_WithArguments_NeverHandlesTheCallersCancellation()
    {
        var judged = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                BaseDelay = TimeSpan.Zero,
                ShouldHandleWithArguments = _ =>
                {
                    judged++;
                    return true;
                },
            })
            .Build();
        using var cts = new CancellationTokenSource();
        var calls = 0;

        var act = () => pipeline.Execute(ct =>
        {
            calls++;
            cts.Cancel();
            throw new OperationCanceledException(ct);
        }, cts.Token);

        act.Should().Throw<OperationCanceledException>();
        calls.Should().Be(1);
        judged.Should().Be(0);
    }

    [Fact]
    public void Retry_WithArguments_SuccessPathAllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddRetry(new RetryStrategyOptions<int> { ShouldHandleWithArguments = static args => args.AttemptNumber < 1 || args.Outcome.Exception is not null })
            .Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }

    [Fact]
    public void CircuitBreaker_WithArguments_CountsFailuresByWhatTheContextSays()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ConsecutiveFailureThreshold = 2,
                ShouldHandleWithArguments = static args => args.Outcome.Exception is not null && args.Context.Properties.GetValue(RetryMe, false),
            })
            .Build();
        var ignored = ResilienceContextPool.Shared.Get();
        var counted = ResilienceContextPool.Shared.Get();
        counted.Properties.Set(RetryMe, true);

        for (var i = 0; i < 3; i++)
        {
            Run(pipeline, ignored).Should().BeOfType<IOException>();
        }

        Run(pipeline, counted).Should().BeOfType<IOException>();
        Run(pipeline, counted).Should().BeOfType<IOException>();
        Run(pipeline, ignored).Should().BeOfType<BrokenCircuitException>();
        ResilienceContextPool.Shared.Return(ignored);
        ResilienceContextPool.Shared.Return(counted);
    }

    [Fact]
    public void SharedCircuitBreaker_WithArguments_IsUsed()
    {
        var breaker = new SharedCircuitBreaker("shared", new CircuitBreakerStrategyOptions
        {
            ConsecutiveFailureThreshold = 1,
            ShouldHandle = static _ => false,
            ShouldHandleWithArguments = static args => args.Outcome.Exception is not null,
        });
        var pipeline = new ResiliencePipelineBuilder().AddCircuitBreaker(breaker).Build();
        var context = ResilienceContextPool.Shared.Get();

        Run(pipeline, context).Should().BeOfType<IOException>();
        Run(pipeline, context).Should().BeOfType<BrokenCircuitException>();
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task Fallback_WithArguments_SeesTheContext()
    {
        var options = new FallbackStrategyOptions<string>
        {
            ShouldHandleWithArguments = static args => args.Outcome.Exception is not null && args.Context.Properties.GetValue(RetryMe, false),
        };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("fallback"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(RetryMe, true);

        var replaced = await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<string>(new IOException()), context, 0);
        context.Properties.Set(RetryMe, false);
        var kept = await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<string>(new IOException()), context, 0);

        replaced.Result.Should().Be("fallback");
        kept.Exception.Should().BeOfType<IOException>();
        ResilienceContextPool.Shared.Return(context);
    }

    private static Exception? Run(ResiliencePipeline pipeline, ResilienceContext context)
        => pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<int>(new IOException()), context, 0).AsTask().Result.Exception;
}
