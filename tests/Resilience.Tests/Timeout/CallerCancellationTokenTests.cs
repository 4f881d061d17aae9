using Microsoft.Extensions.Time.Testing;
using Resilience.Retry;

namespace Resilience.Tests.Timeout;

/// <summary>
/// Polly (since 8.7.0) hands the caller an <see cref="OperationCanceledException"/> that carries the caller's own token
/// when the caller cancels while a timeout runs, so <c>catch (OperationCanceledException e) when (e.CancellationToken == ct)</c>
/// matches. Issue 25, behaviour 1.
/// </summary>
public class CallerCancellationTokenTests
{
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<string> Shapes => ["timeout", "timeout+timeout", "timeout+retry", "retry+timeout"];

    public static TheoryData<string> RetryShapes => ["timeout+retry", "retry+timeout", "timeout+timeout+retry"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task ExecuteAsync_CallerCancelsWhileWorkRuns_ExceptionCarriesCallerToken(string shape)
    {
        var pipeline = Build(shape);
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync, caller.Token).AsTask();
        await caller.CancelAsync();

        var thrown = (await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>()).Which;
        thrown.Should().NotBeOfType<Resilience.Timeout.TimeoutRejectedException>();
        thrown.CancellationToken.Should().Be(caller.Token, "the caller filters on its own token");
    }

    [Theory]
    [MemberData(nameof(RetryShapes))]
    public async Task ExecuteAsync_CallerCancelsDuringRetryDelay_ExceptionCarriesCallerToken(string shape)
    {
        var pipeline = Build(shape);
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync<int>(_ => throw new IOException("transient"), caller.Token).AsTask();
        await caller.CancelAsync();

        var thrown = (await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>()).Which;
        thrown.CancellationToken.Should().Be(caller.Token);
    }

    [Fact]
    public void Execute_CallerCancelsWhileWorkRuns_ExceptionCarriesCallerToken()
    {
        var pipeline = Build("timeout+timeout");
        using var caller = new CancellationTokenSource();

        var act = () => pipeline.Execute(
            ct =>
            {
                caller.Cancel();
                ct.ThrowIfCancellationRequested();
                return 0;
            },
            caller.Token);

        act.Should().Throw<OperationCanceledException>().Which.CancellationToken.Should().Be(caller.Token);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_OriginalCancellationIsInner()
    {
        var pipeline = Build("timeout");
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync(WaitForCancellationAsync, caller.Token).AsTask();
        await caller.CancelAsync();

        var thrown = (await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>()).Which;
        thrown.InnerException.Should().BeAssignableTo<OperationCanceledException>("what the work threw is kept for diagnosis");
    }

    private ResiliencePipeline Build(string shape)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        foreach (var part in shape.Split('+'))
        {
            if (part == "timeout")
            {
                builder.AddTimeout(TimeSpan.FromSeconds(30));
            }
            else
            {
                builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), Jitter = JitterMode.None });
            }
        }

        return builder.Build();
    }

    private static async ValueTask<int> WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);
        return 0;
    }
}
