using Microsoft.Extensions.Time.Testing;
using Resilience.Hedging;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Hedging;

public class HedgingStrategyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<int> _hedges = [];

    [Fact]
    public async Task LatencyMode_SecondAttemptStartsAfterTheDelay_FirstToFinishWinsAndTheOtherIsCancelled()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(1), OnHedging = RecordHedge });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        work.Count.Should().Be(1, "the delay has not passed yet");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await work.Started(1);
        work.Succeed(0, 10);

        (await pending).Should().Be(10, "the first attempt finished first");
        work.Tokens[1].IsCancellationRequested.Should().BeTrue("the losing attempt is cancelled");
        work.Tokens[0].IsCancellationRequested.Should().BeFalse();
        _hedges.Should().Equal(1);
    }

    [Fact]
    public async Task LatencyMode_HedgedAttemptFinishesFirst_ItWins()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(1) });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        await work.Started(1);
        work.Succeed(1, 20);

        (await pending).Should().Be(20);
        work.Tokens[0].IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task LatencyMode_FirstAttemptSucceedsBeforeTheDelay_NoHedge()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(1), OnHedging = RecordHedge });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        work.Succeed(0, 5);

        (await pending).Should().Be(5);
        _time.Advance(TimeSpan.FromSeconds(5));
        work.Count.Should().Be(1);
        _hedges.Should().BeEmpty();
    }

    [Fact]
    public async Task ParallelMode_EveryAttemptStartsAtOnce_FastestWins()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 2, Delay = TimeSpan.Zero, OnHedging = RecordHedge });
        var work = new ScriptedAttempts<int>(3);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await Task.WhenAll(work.Started(0), work.Started(1), work.Started(2));
        work.Succeed(2, 3);

        (await pending).Should().Be(3);
        work.Tokens[0].IsCancellationRequested.Should().BeTrue();
        work.Tokens[1].IsCancellationRequested.Should().BeTrue();
        _hedges.Should().Equal(1, 2);
    }

    [Fact]
    public async Task FallbackMode_NextAttemptOnlyAfterAHandledFailure()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 2, Delay = System.Threading.Timeout.InfiniteTimeSpan });
        var work = new ScriptedAttempts<int>(3);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromHours(1));
        work.Count.Should().Be(1, "fallback mode never starts an attempt because time passes");

        work.Fail(0, new HttpRequestException("first"));
        await work.Started(1);
        work.Succeed(1, 7);

        (await pending).Should().Be(7);
        work.Count.Should().Be(2);
    }

    [Fact]
    public async Task LatencyMode_HandledFailure_StartsTheNextAttemptWithoutWaiting()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromMinutes(1) });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        work.Fail(0, new HttpRequestException());
        await work.Started(1);
        work.Succeed(1, 2);

        (await pending).Should().Be(2);
    }

    [Fact]
    public async Task AllAttemptsFail_ReturnsTheFirstAttemptsFailure()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 2, Delay = TimeSpan.Zero });
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync(_ => throw new HttpRequestException($"failure {++calls}"));

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("failure 1", "as in Polly, the first attempt's outcome is the answer");
        calls.Should().Be(3, "MaxHedgedAttempts counts attempts after the first");
    }

    [Fact]
    public async Task HandledResults_AllLose_TheFirstIsReturnedAndTheOthersDisposed()
    {
        var pipeline = new ResiliencePipelineBuilder<Response> { TimeProvider = _time }
            .AddHedging(new HedgingStrategyOptions<Response> { MaxHedgedAttempts = 2, Delay = TimeSpan.Zero, ShouldHandle = static o => o.Result?.Status >= 500 })
            .Build();
        var responses = new List<Response>();

        var result = await pipeline.ExecuteAsync(_ =>
        {
            var response = new Response(500 + responses.Count);
            responses.Add(response);
            return new ValueTask<Response>(response);
        });

        result.Should().BeSameAs(responses[0]);
        result.Disposed.Should().BeFalse();
        responses.Skip(1).Should().HaveCount(2).And.OnlyContain(r => r.Disposed, "a losing result nobody receives is disposed");
    }

    [Fact]
    public async Task AllAttemptsFail_HedgeFailsLast_StillTheFirstAttemptsFailure()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(1) });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        await work.Started(1);
        work.Fail(0, new HttpRequestException("first"));
        work.Fail(1, new HttpRequestException("hedge"));

        await pending.Invoking(p => p).Should().ThrowAsync<HttpRequestException>().WithMessage("first");
    }

    [Fact]
    public async Task CallerCancels_WhileWaiting_StopsWithCancellationAndStartsNoAttempt()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 3, Delay = TimeSpan.FromSeconds(1) });
        var work = new ScriptedAttempts<int>(4, honourCancellation: false);
        using var caller = new CancellationTokenSource();

        var pending = pipeline.ExecuteAsync(work.RunAsync, caller.Token).AsTask();
        await work.Started(0);
        await caller.CancelAsync();

        await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
        work.Tokens[0].IsCancellationRequested.Should().BeTrue("the caller's cancellation reaches every attempt");
        _time.Advance(TimeSpan.FromSeconds(10));
        work.Count.Should().Be(1);
    }

    [Fact]
    public async Task CallerAlreadyCancelled_NoAttempt()
    {
        var pipeline = Build(new HedgingStrategyOptions<int>());
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync(_ => new ValueTask<int>(++calls), new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(0);
    }

    [Fact]
    public async Task SlowLoser_IsCancelledAndItsLateResultDisposed()
    {
        var pipeline = new ResiliencePipelineBuilder<Response> { TimeProvider = _time }
            .AddHedging(new HedgingStrategyOptions<Response> { Delay = TimeSpan.FromSeconds(1) })
            .Build();
        var work = new ScriptedAttempts<Response>(2, honourCancellation: false);
        var late = new Response(200);
        var winner = new Response(200);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        await work.Started(1);
        work.Succeed(1, winner);

        (await pending).Should().BeSameAs(winner);
        work.Tokens[0].IsCancellationRequested.Should().BeTrue("the slow loser is told to stop");
        late.Disposed.Should().BeFalse();

        work.Succeed(0, late);
        await late.WhenDisposed.WaitAsync(TimeSpan.FromSeconds(10));
        winner.Disposed.Should().BeFalse();
    }

    [Fact]
    public async Task EachAttempt_HasItsOwnContext_AndTheWinnersPropertiesReachTheCaller()
    {
        var seen = new List<string?>();
        var pipeline = Build(new HedgingStrategyOptions<int>
        {
            MaxHedgedAttempts = 2,
            Delay = TimeSpan.Zero,
            ActionGenerator = args =>
            {
                seen.Add(args.ActionContext.Properties.TryGetValue("attempt", out var value) ? (string?)value : "none");
                args.ActionContext.Properties["attempt"] = $"hedge {args.AttemptNumber}";
                return () => args.AttemptNumber == 2
                    ? Outcome.FromResultAsValueTask<int>(2)
                    : Outcome.FromExceptionAsValueTask<int>(new HttpRequestException());
            },
        });
        var context = ResilienceContextPool.Shared.Get();
        context.Properties["caller"] = "yes";

        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (ctx, _) =>
            {
                ctx.Properties["attempt"] = "primary";
                return Outcome.FromExceptionAsValueTask<int>(new HttpRequestException());
            },
            context,
            0);

        outcome.Result.Should().Be(2);
        seen.Should().Equal("none", "none");
        context.Properties["attempt"].Should().Be("hedge 2", "the winner's context is merged into the caller's");
        context.Properties["caller"].Should().Be("yes");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ActionGenerator_CallsAnotherEndpointPerAttempt_AndNullStopsHedging()
    {
        var endpoints = new List<string>();
        var pipeline = Build(new HedgingStrategyOptions<int>
        {
            MaxHedgedAttempts = 3,
            Delay = TimeSpan.Zero,
            ActionGenerator = args => args.AttemptNumber switch
            {
                1 => () =>
                {
                    endpoints.Add("secondary");
                    return Outcome.FromExceptionAsValueTask<int>(new HttpRequestException("secondary"));
                },
                _ => null,
            },
        });

        var act = async () => await pipeline.ExecuteAsync(_ =>
        {
            endpoints.Add("primary");
            throw new HttpRequestException("primary");
        });

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("primary", "every attempt failed, so the first attempt's failure is the answer");
        endpoints.Should().Equal("primary", "secondary");
    }

    [Fact]
    public async Task ActionGenerator_DefaultCallback_RunsTheOriginalWork()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.Zero, ActionGenerator = static args => () => args.Callback(args.ActionContext) });
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ => ++calls == 1 ? throw new HttpRequestException() : new ValueTask<int>(calls));

        result.Should().Be(2);
    }

    [Fact]
    public async Task DelayGenerator_ChoosesTheDelayPerAttempt()
    {
        var asked = new List<int>();
        var pipeline = Build(new HedgingStrategyOptions<int>
        {
            Delay = TimeSpan.FromHours(1),
            DelayGenerator = args =>
            {
                asked.Add(args.AttemptNumber);
                return new ValueTask<TimeSpan>(TimeSpan.FromSeconds(3));
            },
        });
        var work = new ScriptedAttempts<int>(2);

        var pending = pipeline.ExecuteAsync(work.RunAsync).AsTask();
        await work.Started(0);
        _time.Advance(TimeSpan.FromSeconds(3));
        await work.Started(1);
        work.Succeed(1, 1);

        (await pending).Should().Be(1);
        asked.Should().Equal(1);
    }

    [Fact]
    public async Task NonGenericPipeline_HedgesAnyResultType()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddHedging(new HedgingStrategyOptions { Delay = TimeSpan.Zero, ActionGenerator = static _ => () => Outcome.FromResultAsValueTask<object>("hedged") })
            .Build();

        var result = await pipeline.ExecuteAsync<string>(_ => throw new HttpRequestException());

        result.Should().Be("hedged");
    }

    [Fact]
    public void SynchronousExecute_HedgesAFailingAttempt()
    {
        var pipeline = Build(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(1) });
        var calls = 0;

        var result = pipeline.Execute(_ => Interlocked.Increment(ref calls) == 1 ? throw new HttpRequestException() : 9);

        result.Should().Be(9);
    }

    [Fact]
    public void SuccessPath_FirstAttemptSucceedsSynchronously_AllocatesNothing()
    {
        var generic = Build(new HedgingStrategyOptions<int>());
        var nonGeneric = new ResiliencePipelineBuilder().AddHedging(new HedgingStrategyOptions()).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(generic.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42))).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(nonGeneric.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42))).Should().Be(0);
    }

    [Fact]
    public void HedgedWin_HandledResultThenSuccess_ReusesItsPerCallState()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddHedging(new HedgingStrategyOptions<int> { ShouldHandle = static o => o.Result < 0 }).Build();
        var attempts = new System.Runtime.CompilerServices.StrongBox<int>();

        var result = 0;

        var bytes = AllocationMeter.BytesPerRun(() =>
        {
            attempts.Value = 0;
            result = AllocationMeter.Completed(pipeline.ExecuteAsync(static (box, _) => new ValueTask<int>(++box.Value == 1 ? -1 : 42), attempts));
        });

        result.Should().Be(42);
        attempts.Value.Should().Be(2);

        // The attempts, their list, contexts and token sources are reused; what is left is well under one attempt's state.
        bytes.Should().BeLessThan(64);
    }

    [Theory]
    [InlineData(0, "HedgingStrategyOptions.MaxHedgedAttempts")]
    [InlineData(11, "HedgingStrategyOptions.MaxHedgedAttempts")]
    public void InvalidMaxHedgedAttempts_IsRejectedNamingTheOption(int attempts, string option)
    {
        var act = () => new ResiliencePipelineBuilder().AddHedging(new HedgingStrategyOptions { MaxHedgedAttempts = attempts });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*'{option}'*");
    }

    [Fact]
    public void NegativeDelayOtherThanInfinite_IsRejectedNamingTheOption()
    {
        var act = () => new ResiliencePipelineBuilder<int>().AddHedging(new HedgingStrategyOptions<int> { Delay = TimeSpan.FromSeconds(-2) });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'HedgingStrategyOptions.Delay'*");
    }

    [Fact]
    public void NullShouldHandle_IsRejectedNamingTheOption()
    {
        var act = () => new ResiliencePipelineBuilder<int>().AddHedging(new HedgingStrategyOptions<int> { ShouldHandle = null! });

        act.Should().Throw<ArgumentNullException>().WithMessage("*'HedgingStrategyOptions.ShouldHandle'*");
    }

    [Fact]
    public void Defaults_MatchPolly()
    {
        var options = new HedgingStrategyOptions<int>();

        options.MaxHedgedAttempts.Should().Be(1);
        options.Delay.Should().Be(TimeSpan.FromSeconds(2));
        options.ShouldHandle(Outcome.FromException<int>(new HttpRequestException())).Should().BeTrue();
        options.ShouldHandle(Outcome.FromException<int>(new OperationCanceledException())).Should().BeFalse();
        options.ShouldHandle(Outcome.FromResult(1)).Should().BeFalse();
    }

    private ResiliencePipeline<int> Build(HedgingStrategyOptions<int> options)
        => new ResiliencePipelineBuilder<int> { TimeProvider = _time }.AddHedging(options).Build();

    private ValueTask RecordHedge(OnHedgingArguments<int> args)
    {
        lock (_hedges)
        {
            _hedges.Add(args.AttemptNumber);
        }

        return default;
    }

    private sealed class Response(int status) : IDisposable
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Status { get; } = status;

        public bool Disposed => _disposed.Task.IsCompleted;

        public Task WhenDisposed => _disposed.Task;

        public void Dispose() => _disposed.TrySetResult();
    }
}
