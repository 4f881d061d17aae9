using Microsoft.Extensions.Time.Testing;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Tests.Timeout;

/// <summary>
/// A timeout nested directly in another (attempt timeout inside a total timeout) is linked to it rather than
/// registered on its token: whatever cancels the outer one (its deadline, the caller's token) still reaches the work,
/// and a later call never cancels an earlier call's token.
/// </summary>
public class NestedTimeoutTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task OuterDeadline_CancelsTheTokenTheWorkSawAndTheCallerGetsTheOuterTimeout()
    {
        var pipeline = Nested(outer: TimeSpan.FromSeconds(1), inner: TimeSpan.FromSeconds(10));
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = pipeline.ExecuteAsync(async ct =>
        {
            started.SetResult(ct);
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            return 1;
        }).AsTask();
        var token = await started.Task;

        _time.Advance(TimeSpan.FromSeconds(1));

        token.IsCancellationRequested.Should().BeTrue("the outer deadline reaches the inner timeout's token");
        (await FluentActions.Awaiting(() => call).Should().ThrowAsync<TimeoutRejectedException>()).Which.Timeout.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task CallerCancels_TheTokenTheWorkSawIsCancelledAndTheCallerGetsItsCancellation()
    {
        var pipeline = Nested(outer: TimeSpan.FromSeconds(30), inner: TimeSpan.FromSeconds(10));
        using var caller = new CancellationTokenSource();
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = pipeline.ExecuteAsync(
            async ct =>
            {
                started.SetResult(ct);
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
                return 1;
            },
            caller.Token).AsTask();
        var token = await started.Task;

        await caller.CancelAsync();

        token.IsCancellationRequested.Should().BeTrue();
        (await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>()).Which.CancellationToken.Should().Be(caller.Token);
    }

    [Fact]
    public async Task CallerAlreadyCancelledBeforeTheInnerTimeoutLinks_TheWorkIsNotStarted()
    {
        var pipeline = Nested(outer: TimeSpan.FromSeconds(30), inner: TimeSpan.FromSeconds(10));
        using var caller = new CancellationTokenSource();
        await caller.CancelAsync();
        var ran = false;

        var call = () => pipeline.ExecuteAsync(_ => { ran = true; return new ValueTask<int>(1); }, caller.Token).AsTask();

        await call.Should().ThrowAsync<OperationCanceledException>();
        ran.Should().BeFalse();
    }

    [Fact]
    public async Task TokenKeptFromAnEarlierCall_IsNotCancelledByALaterCallsOuterDeadline()
    {
        var pipeline = Nested(outer: TimeSpan.FromSeconds(1), inner: TimeSpan.FromSeconds(10));
        CancellationToken kept = default;
        (await pipeline.ExecuteAsync(ct => { kept = ct; return new ValueTask<int>(1); })).Should().Be(1);

        var later = pipeline.ExecuteAsync(async ct =>
        {
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            return 2;
        }).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => later).Should().ThrowAsync<TimeoutRejectedException>();

        kept.IsCancellationRequested.Should().BeFalse("the earlier call's inner source was unlinked when that call completed");
    }

    [Fact]
    public async Task RetriedAttempts_EachLinkToTheSameOuterTimeout()
    {
        var attempts = 0;
        var tokens = new List<CancellationToken>();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddTimeout(TimeSpan.FromSeconds(5))
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.Zero, ShouldHandle = static o => o.Exception is FormatException })
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();

        var call = pipeline.ExecuteAsync(async ct =>
        {
            tokens.Add(ct);
            if (++attempts < 3)
            {
                throw new FormatException();
            }

            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            return 1;
        }).AsTask();
        while (tokens.Count < 3)
        {
            await Task.Yield();
        }

        _time.Advance(TimeSpan.FromSeconds(5));

        await FluentActions.Awaiting(() => call).Should().ThrowAsync<TimeoutRejectedException>();
        tokens[2].IsCancellationRequested.Should().BeTrue("the third attempt's token is linked to the outer timeout");
        tokens[0].IsCancellationRequested.Should().BeFalse("a finished attempt was unlinked");
        tokens[1].IsCancellationRequested.Should().BeFalse();
    }

    private ResiliencePipeline Nested(TimeSpan outer, TimeSpan inner) => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddTimeout(outer)
        .AddTimeout(inner)
        .Build();
}
