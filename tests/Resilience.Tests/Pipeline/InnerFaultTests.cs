using Microsoft.Extensions.Time.Testing;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Tests.Pipeline;

/// <summary>
/// Issue 16, Major 2 and Minor 14: whatever fails inside a strategy (a synchronous throw from an inner strategy, a
/// faulted task, a throwing user callback), every strategy releases what it holds and the failure reaches the caller.
/// </summary>
public class InnerFaultTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task CircuitBreaker_InnerStrategyThrowsSynchronously_ProbeIsRecordedAndBreakerLeavesHalfOpen()
    {
        var state = new CircuitBreakerStateProvider();
        var throwing = new ThrowingStrategy();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1), MaxWaitInHalfOpen = null, StateProvider = state })
            .AddStrategy(_ => throwing)
            .Build();

        throwing.Mode = ThrowingStrategy.Throw.Synchronously;
        var first = async () => await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        await first.Should().ThrowAsync<FormatException>("the caller gets the inner failure");
        state.State.Should().Be(CircuitState.Open, "the synchronous throw counts as a failure");

        _time.Advance(TimeSpan.FromSeconds(1));
        await first.Should().ThrowAsync<FormatException>("the probe fails the same way");
        state.State.Should().Be(CircuitState.Open, "the failed probe re-opens the breaker instead of leaving it half-open");

        _time.Advance(TimeSpan.FromSeconds(1));
        throwing.Mode = ThrowingStrategy.Throw.Never;
        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(7))).Should().Be(7);
        state.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task CircuitBreaker_InnerTaskFaults_ProbeIsRecorded()
    {
        var state = new CircuitBreakerStateProvider();
        var throwing = new ThrowingStrategy { Mode = ThrowingStrategy.Throw.Asynchronously };
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1), MaxWaitInHalfOpen = null, StateProvider = state })
            .AddStrategy(_ => throwing)
            .Build();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        outcome.Exception.Should().BeOfType<FormatException>();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<FormatException>();

        state.State.Should().Be(CircuitState.Open, "a faulted inner task is a failed probe, not a probe that never ends");
    }

    [Fact]
    public async Task CircuitBreaker_OverRetryWhoseDelayGeneratorThrows_BreakerLeavesHalfOpenAndCallerGetsTheGeneratorFailure()
    {
        var state = new CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1), MaxWaitInHalfOpen = null, StateProvider = state })
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = static o => o.Exception is IOException,
                DelayGenerator = static _ => throw new FormatException("generator bug"),
            })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("down"));
        await act.Should().ThrowAsync<FormatException>().WithMessage("generator bug");
        _time.Advance(TimeSpan.FromSeconds(1));
        await act.Should().ThrowAsync<FormatException>();
        _time.Advance(TimeSpan.FromSeconds(1));

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(3))).Should().Be(3, "the probe was recorded, so a later probe is admitted");
        state.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task Timeout_InnerStrategyThrowsSynchronously_RestoresTheCallersTokenAndReturnsTheSlot()
    {
        var throwing = new ThrowingStrategy { Mode = ThrowingStrategy.Throw.Synchronously };
        var observer = new TokenObserver();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddStrategy(_ => observer)
            .AddTimeout(TimeSpan.FromSeconds(1))
            .AddStrategy(_ => throwing)
            .Build();
        using var caller = new CancellationTokenSource();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0, caller.Token);

        outcome.Exception.Should().BeOfType<FormatException>();
        observer.TokenAfterInner.Should().Be(caller.Token, "the timeout gives the caller's token back on every exit path");
    }

    [Fact]
    public async Task Bulkhead_InnerStrategyThrowsSynchronously_SlotIsFreedAndCallerGetsTheFailure()
    {
        var bulkhead = new SharedBulkhead("b", new BulkheadStrategyOptions { MaxConcurrency = 1 });
        var throwing = new ThrowingStrategy { Mode = ThrowingStrategy.Throw.Synchronously };
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddBulkhead(bulkhead).AddStrategy(_ => throwing).Build();

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<FormatException>();

        bulkhead.InUse.Should().Be(0);
    }

    [Fact]
    public async Task Retry_OnRetryThrows_CallerGetsTheCallbackFailure()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Exception is IOException, OnRetry = static _ => throw new InvalidOperationException("handler bug") })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("down"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("handler bug");
    }

    [Fact]
    public async Task Retry_AsyncOnRetryFaults_CallerGetsTheCallbackFailure()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = static o => o.Exception is IOException,
                OnRetry = static async _ =>
                {
                    await Task.Yield();
                    throw new InvalidOperationException("async handler bug");
                },
            })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("down"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("async handler bug");
    }

    [Fact]
    public async Task Retry_ShouldHandleThrows_CallerGetsThePredicateFailure()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions { ShouldHandle = static _ => throw new InvalidOperationException("predicate bug") })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("down"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("predicate bug");
    }

    [Fact]
    public async Task Retry_DisposeOfDroppedResultThrows_RetriesGoOnAndCallerGetsItsResult()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder<ThrowingDisposable> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<ThrowingDisposable> { BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Result is { Failed: true } })
            .Build();

        var result = await pipeline.ExecuteAsync(_ => new ValueTask<ThrowingDisposable>(new ThrowingDisposable(++calls < 3)));

        result.Failed.Should().BeFalse();
        calls.Should().Be(3);
    }

    [Fact]
    public async Task Retry_DelayGeneratorReturnsMaxValue_NoOverflowAndTheDelayIsBoundedToOneDay()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryDuration = TimeSpan.FromDays(1),
                ShouldHandle = static o => o.Exception is IOException,
                DelayGenerator = static _ => new ValueTask<TimeSpan?>(TimeSpan.MaxValue),
            })
            .Build();

        var pending = pipeline.ExecuteOutcomeAsync((_, _) => ++calls < 2 ? throw new IOException("down") : new ValueTask<int>(calls), 0).AsTask();
        _time.Advance(TimeSpan.FromDays(1));
        var outcome = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        outcome.Exception.Should().BeNull();
        outcome.Result.Should().Be(2);
    }

    [Fact]
    public async Task Retry_CallerAlreadyCancelled_SpendsNoBudgetAndRaisesNoOnRetry()
    {
        var budget = new RetryBudget();
        var retries = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                BaseDelay = TimeSpan.Zero,
                Budget = budget,
                ShouldHandle = static o => o.Exception is IOException,
                OnRetry = _ =>
                {
                    retries++;
                    return default;
                },
            })
            .Build();
        using var caller = new CancellationTokenSource();
        var before = budget.Available;

        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (cts, _) =>
            {
                cts.Cancel();
                return ValueTask.FromException<int>(new IOException("down"));
            },
            caller,
            caller.Token);

        retries.Should().Be(0);
        budget.Available.Should().Be(before);
        outcome.Exception.Should().BeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task Bulkhead_OnRejectedThrows_CallerGetsTheCallbackFailure()
    {
        var bulkhead = new SharedBulkhead("b", new BulkheadStrategyOptions { MaxConcurrency = 1, OnRejected = static _ => throw new InvalidOperationException("handler bug") });
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddBulkhead(bulkhead).Build();
        var gate = new TaskCompletionSource<int>();
        var holder = pipeline.ExecuteAsync(_ => new ValueTask<int>(gate.Task));

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("handler bug");
        gate.SetResult(1);
        await holder;
        bulkhead.InUse.Should().Be(0);
    }

    [Fact]
    public async Task Timeout_OnTimeoutThrows_CallerGetsTheCallbackFailure()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(1), OnTimeout = static _ => throw new InvalidOperationException("handler bug") })
            .Build();

        var pending = pipeline.ExecuteOutcomeAsync(static async (_, ct) =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            return 1;
        },
            0).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        outcome.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("handler bug");
    }

    [Fact]
    public async Task CircuitBreaker_OnOpenedThrows_CallerGetsTheCallbackFailureAndTheBreakerIsOpen()
    {
        var state = new CircuitBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, StateProvider = state, OnOpened = static _ => throw new InvalidOperationException("handler bug") })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("real failure"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("handler bug");
        state.State.Should().Be(CircuitState.Open);
    }

    [Fact]
    public async Task CircuitBreaker_OnHalfOpenedThrows_ProbePermitIsReleased()
    {
        var state = new CircuitBreakerStateProvider();
        var throwOnHalfOpen = true;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ConsecutiveFailureThreshold = 1,
                BreakDuration = TimeSpan.FromSeconds(1),
                MaxWaitInHalfOpen = null,
                StateProvider = state,
                OnHalfOpened = _ => throwOnHalfOpen ? throw new InvalidOperationException("handler bug") : default,
            })
            .Build();
        await pipeline.ExecuteOutcomeAsync(static (_, _) => ValueTask.FromException<int>(new IOException("down")), 0);
        _time.Advance(TimeSpan.FromSeconds(1));

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<InvalidOperationException>();
        throwOnHalfOpen = false;

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(5), 0)).Result.Should().Be(5, "the probe permit of the failed call came back");
        state.State.Should().Be(CircuitState.Closed);
    }

    internal sealed class ThrowingStrategy : ResilienceStrategy
    {
        public enum Throw
        {
            Never,
            Synchronously,
            Asynchronously,
        }

        public Throw Mode { get; set; }

        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state) => Mode switch
            {
                Throw.Synchronously => throw new FormatException("inner strategy bug"),
                Throw.Asynchronously => ValueTask.FromException<Outcome<TResult>>(new FormatException("inner strategy bug")),
                _ => callback(context, state),
            };
    }

    private sealed class TokenObserver : ResilienceStrategy
    {
        public CancellationToken? TokenAfterInner { get; private set; }

        protected internal override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            Outcome<TResult> outcome;
            try
            {
                outcome = await callback(context, state);
            }
            catch (Exception ex)
            {
                outcome = Outcome.FromException<TResult>(ex);
            }

            TokenAfterInner = context.CancellationToken;
            return outcome;
        }
    }

    public sealed class ThrowingDisposable(bool failed) : IDisposable
    {
        public bool Failed { get; } = failed;

        public void Dispose() => throw new FormatException("dispose bug");
    }
}
