using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.CircuitBreaker;

public class CircuitBreakerStrategyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _events = [];
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly CircuitBreakerManualControl _manual = new();

    [Fact]
    public async Task ConsecutiveFailures_TripsAtThresholdAndRejectsWithRetryAfter()
    {
        var pipeline = Build(o => o.ConsecutiveFailureThreshold = 3);

        await FailAsync(pipeline, 2);
        await SucceedAsync(pipeline);
        await FailAsync(pipeline, 2);
        _state.State.Should().Be(CircuitState.Closed, "a success in between resets the count");

        await FailAsync(pipeline, 1);

        _state.State.Should().Be(CircuitState.Open);
        _events.Should().Equal("opened:ConsecutiveFailures");
        var rejected = (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception;
        rejected.Should().BeOfType<BrokenCircuitException>().Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task FailureRatio_CountWindow_NoTripBelowMinimumThroughput()
    {
        var pipeline = Build(o =>
        {
            o.SamplingWindow = SamplingWindow.CountBased;
            o.WindowSize = 10;
            o.MinimumThroughput = 10;
            o.FailureRatio = 0.5;
        });

        await FailAsync(pipeline, 9);
        _state.State.Should().Be(CircuitState.Closed, "nine calls are below the minimum throughput of ten");

        await FailAsync(pipeline, 1);
        _state.State.Should().Be(CircuitState.Open);
        _events.Should().Equal("opened:FailureRatio");
    }

    [Fact]
    public async Task FailureRatio_CountWindow_OldCallsLeaveTheWindow()
    {
        var pipeline = Build(o =>
        {
            o.SamplingWindow = SamplingWindow.CountBased;
            o.WindowSize = 4;
            o.MinimumThroughput = 4;
            o.FailureRatio = 0.75;
        });

        await FailAsync(pipeline, 2);
        await SucceedAsync(pipeline, 4);
        await FailAsync(pipeline, 2);

        _state.State.Should().Be(CircuitState.Closed, "the window holds the last four calls: two failures out of four");
        await FailAsync(pipeline, 1);
        _state.State.Should().Be(CircuitState.Open, "three failures out of the last four");
    }

    [Fact]
    public async Task FailureRatio_TimeWindow_ExpiredBucketsNoLongerCount()
    {
        var pipeline = Build(o =>
        {
            o.SamplingDuration = TimeSpan.FromSeconds(10);
            o.BucketCount = 10;
            o.MinimumThroughput = 4;
            o.FailureRatio = 0.5;
        });

        await FailAsync(pipeline, 3);
        _time.Advance(TimeSpan.FromSeconds(10));
        await SucceedAsync(pipeline, 3);
        await FailAsync(pipeline, 1);
        _state.State.Should().Be(CircuitState.Closed, "the first three failures left the window: one failure in four calls");

        await FailAsync(pipeline, 2);
        _state.State.Should().Be(CircuitState.Open, "three failures in six calls");
    }

    [Fact]
    public async Task SlowCalls_RatioReached_TripsEvenOnSuccesses()
    {
        var pipeline = Build(o =>
        {
            o.SamplingWindow = SamplingWindow.CountBased;
            o.MinimumThroughput = 2;
            o.SlowCallDuration = TimeSpan.FromSeconds(1);
            o.SlowCallRatio = 0.5;
        });

        await pipeline.ExecuteAsync(_ => new ValueTask<int>(1));
        await pipeline.ExecuteAsync(_ =>
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            return new ValueTask<int>(1);
        });

        _state.State.Should().Be(CircuitState.Open);
        _events.Should().Equal("opened:SlowCallRatio");
    }

    [Fact]
    public async Task HalfOpen_AfterBreak_AdmitsPermittedProbesAndClosesAfterSuccessThreshold()
    {
        var pipeline = Build(o =>
        {
            o.ConsecutiveFailureThreshold = 1;
            o.PermittedCallsInHalfOpen = 2;
            o.SuccessThresholdInHalfOpen = 2;
        });
        await FailAsync(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<BrokenCircuitException>();
        _time.Advance(TimeSpan.FromTicks(1));

        var firstProbe = new TaskCompletionSource<int>();
        var secondProbe = new TaskCompletionSource<int>();
        var first = pipeline.ExecuteAsync(_ => new ValueTask<int>(firstProbe.Task)).AsTask();
        var second = pipeline.ExecuteAsync(_ => new ValueTask<int>(secondProbe.Task)).AsTask();
        var third = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        _state.State.Should().Be(CircuitState.HalfOpen);
        third.Exception.Should().BeOfType<BrokenCircuitException>("only two probes may be in flight");
        firstProbe.SetResult(1);
        await first;
        _state.State.Should().Be(CircuitState.HalfOpen, "one success of the two needed");
        secondProbe.SetResult(1);
        await second;
        _state.State.Should().Be(CircuitState.Closed);
        _events.Should().Equal("opened:ConsecutiveFailures", "halfopen", "closed");
    }

    [Fact]
    public async Task HalfOpen_ProbeFails_ReopensForAnotherBreak()
    {
        var pipeline = Build(o => o.ConsecutiveFailureThreshold = 1);
        await FailAsync(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5));

        await FailAsync(pipeline, 1);

        _state.State.Should().Be(CircuitState.Open);
        _events.Should().Equal("opened:ConsecutiveFailures", "halfopen", "opened:ProbeFailed");
    }

    [Fact]
    public async Task HalfOpen_NoProbeResultWithinMaxWait_Reopens()
    {
        var pipeline = Build(o =>
        {
            o.ConsecutiveFailureThreshold = 1;
            o.MaxWaitInHalfOpen = TimeSpan.FromSeconds(30);
        });
        await FailAsync(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(5));
        var hung = new TaskCompletionSource<int>();
        var hangingProbe = pipeline.ExecuteAsync(_ => new ValueTask<int>(hung.Task)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(29));
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<BrokenCircuitException>();
        _state.State.Should().Be(CircuitState.HalfOpen);

        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<BrokenCircuitException>();
        _state.State.Should().Be(CircuitState.Open);
        _events.Should().EndWith("opened:HalfOpenTimedOut");
        hung.SetResult(1);
        await hangingProbe;
        _state.State.Should().Be(CircuitState.Open, "the hung probe's late success belongs to the timed-out half-open state");
    }

    [Fact]
    public async Task BreakDurationGenerator_GrowsWithConsecutiveTrips()
    {
        var pipeline = Build(o =>
        {
            o.ConsecutiveFailureThreshold = 1;
            o.BreakDurationGenerator = args => TimeSpan.FromSeconds(Math.Min(60, 10 * args.ConsecutiveTrips));
        });

        await FailAsync(pipeline, 1);
        _state.TimeUntilHalfOpen.Should().Be(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        await FailAsync(pipeline, 1);
        _state.TimeUntilHalfOpen.Should().Be(TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(20));
        await SucceedAsync(pipeline);
        await FailAsync(pipeline, 1);

        _state.TimeUntilHalfOpen.Should().Be(TimeSpan.FromSeconds(10), "closing resets the trip count");
    }

    [Fact]
    public async Task ManualControl_IsolateRejectsUntilClosed()
    {
        var pipeline = Build(_ => { });

        await _manual.IsolateAsync();
        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        outcome.Exception.Should().BeOfType<IsolatedCircuitException>();
        _time.Advance(TimeSpan.FromHours(1));
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<IsolatedCircuitException>("isolation has no break duration");

        await _manual.CloseAsync();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(7))).Should().Be(7);
        _events.Should().Equal("opened:Manual", "closed");
    }

    [Fact]
    public async Task MetricsOnly_IsolateRejectsAndRecordingResumesAfterClose()
    {
        var pipeline = Build(o =>
        {
            o.ConsecutiveFailureThreshold = 1;
            o.MetricsOnly = true;
        });

        await _manual.IsolateAsync();
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<IsolatedCircuitException>("a manual isolation blocks calls in metrics-only mode too");

        await _manual.CloseAsync();
        await FailAsync(pipeline, 1);
        _state.LastFailure.Should().BeOfType<IOException>("results are recorded again in the new generation");
        _state.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public void ManualControl_DroppedPipelines_AreNotKeptAlive()
    {
        var control = new CircuitBreakerManualControl();
        BuildAndDrop(control, 10_000);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        control.AttachedCount.Should().BeLessThan(100, "the control holds its breakers weakly");
    }

    [Fact]
    public async Task ManualControl_AttachRacingClose_EndsInTheStateOfTheLastCall()
    {
        for (var i = 0; i < 300; i++)
        {
            var control = new CircuitBreakerManualControl();
            var state = new CircuitBreakerStateProvider();
            await control.IsolateAsync();
            using var start = new Barrier(2);
            var build = Task.Run(() =>
            {
                start.SignalAndWait();
                _ = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = control, StateProvider = state }).Build();
            });
            var close = Task.Run(async () =>
            {
                start.SignalAndWait();
                await control.CloseAsync();
            });
            await Task.WhenAll(build, close);

            control.IsIsolated.Should().BeFalse();
            state.State.Should().Be(CircuitState.Closed, "CloseAsync came last (iteration {0})", i);
        }
    }

    [Fact]
    public async Task LastOpenedAt_IsWhenTheBreakerOpenedNotTheLastFailure()
    {
        var pipeline = Build(o => o.ConsecutiveFailureThreshold = 2);
        var start = _time.GetUtcNow();

        await FailAsync(pipeline, 1);
        _time.Advance(TimeSpan.FromSeconds(3));
        await FailAsync(pipeline, 1);

        _state.LastOpenedAt.Should().Be(start + TimeSpan.FromSeconds(3));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void BuildAndDrop(CircuitBreakerManualControl control, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = control }).Build();
        }
    }

    [Fact]
    public async Task LateResult_FromCallAdmittedBeforeTransition_IsIgnored()
    {
        var pipeline = Build(o => o.ConsecutiveFailureThreshold = 1);
        var late = new TaskCompletionSource<int>();
        var call = pipeline.ExecuteAsync(_ => new ValueTask<int>(late.Task)).AsTask();

        await _manual.IsolateAsync();
        await _manual.CloseAsync();
        late.SetException(new IOException("late failure"));
        await call.Invoking(c => c).Should().ThrowAsync<IOException>();

        _state.State.Should().Be(CircuitState.Closed, "the failure belongs to a state that no longer exists");
    }

    [Fact]
    public async Task CallerCancellation_IsNeitherSuccessNorFailure()
    {
        var pipeline = Build(o => o.ConsecutiveFailureThreshold = 1);
        using var caller = new CancellationTokenSource();

        await pipeline.Invoking(p => p.ExecuteAsync(
            async ct =>
            {
                await caller.CancelAsync();
                ct.ThrowIfCancellationRequested();
                return 0;
            },
            caller.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();

        _state.State.Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task ResultRule_CountsHandledResultsAsFailures()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<int>
            {
                ConsecutiveFailureThreshold = 2,
                ShouldHandle = Handle<int>.Result(status => status >= 500),
                StateProvider = _state,
            })
            .Build();

        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(503));
        await pipeline.ExecuteAsync(static _ => new ValueTask<int>(500));

        _state.State.Should().Be(CircuitState.Open);
    }

    [Fact]
    public async Task SharedBreaker_OneStateAcrossPipelinesAndListedInRegistry()
    {
        var registry = new CircuitBreakerRegistry(_time);
        var breaker = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 2 });
        var first = new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(breaker).Build();
        var second = new ResiliencePipelineBuilder<string> { TimeProvider = _time }.AddCircuitBreaker(breaker).Build();

        await FailAsync(first, 2);

        breaker.State.Should().Be(CircuitState.Open);
        (await second.ExecuteOutcomeAsync(static (_, _) => new ValueTask<string>("x"), 0)).Exception.Should().BeOfType<BrokenCircuitException>()
            .Which.Message.Should().Contain("orders-api");
        registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions()).Should().BeSameAs(breaker);
        registry.Breakers.Select(b => (b.Name, b.State)).Should().Equal(("orders-api", CircuitState.Open));
        await breaker.CloseAsync();
        (await second.ExecuteAsync(static _ => new ValueTask<string>("ok"))).Should().Be("ok");
    }

    [Fact]
    public async Task MetricsOnly_RecordsButNeverBlocks()
    {
        var pipeline = Build(o =>
        {
            o.ConsecutiveFailureThreshold = 1;
            o.MetricsOnly = true;
        });

        await FailAsync(pipeline, 5);

        _state.State.Should().Be(CircuitState.Closed);
        _state.LastFailure.Should().BeOfType<IOException>();
    }

    [Fact]
    public async Task ThrowingCallback_ReachesTheCallerWhoseCallMovedTheState()
    {
        // The rule for every user callback (issue 16, Minor 14): its exception reaches the caller.
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, StateProvider = _state, OnOpened = _ => throw new InvalidOperationException("handler bug") })
            .Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new IOException("real failure"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("handler bug");
        _state.State.Should().Be(CircuitState.Open);
        await act.Should().ThrowAsync<BrokenCircuitException>("later callers are rejected as usual");
    }

    [Fact]
    public void SuccessPath_AllocatesNothing()
    {
        foreach (var window in new Action<CircuitBreakerStrategyOptions>[]
        {
            o => o.ConsecutiveFailureThreshold = 5,
            o => o.SamplingWindow = SamplingWindow.CountBased,
            o => o.SamplingWindow = SamplingWindow.TimeBased,
            o => o.SlowCallDuration = TimeSpan.FromSeconds(1),
        })
        {
            var options = new CircuitBreakerStrategyOptions();
            window(options);
            var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(options).Build();

            AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
        }
    }

    [Fact]
    public void AddCircuitBreaker_CountWindowSmallerThanMinimumThroughput_ThrowsNamingBothOptions()
    {
        var options = new CircuitBreakerStrategyOptions { SamplingWindow = SamplingWindow.CountBased, WindowSize = 5, MinimumThroughput = 10 };

        var act = () => new ResiliencePipelineBuilder().AddCircuitBreaker(options);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CircuitBreakerStrategyOptions.MinimumThroughput")
            .And.Message.Should().Contain("CircuitBreakerStrategyOptions.WindowSize");
    }

    [Fact]
    public void AddCircuitBreaker_CountWindowOfMinimumThroughput_Accepted()
    {
        var options = new CircuitBreakerStrategyOptions { SamplingWindow = SamplingWindow.CountBased, WindowSize = 10, MinimumThroughput = 10 };

        var act = () => new ResiliencePipelineBuilder().AddCircuitBreaker(options).Build();

        act.Should().NotThrow();
    }

    public static TheoryData<Action<CircuitBreakerStrategyOptions>, string> BadOptions => new()
    {
        { o => o.FailureRatio = 0, "CircuitBreakerStrategyOptions.FailureRatio" },
        { o => o.FailureRatio = 1.1, "CircuitBreakerStrategyOptions.FailureRatio" },
        { o => o.SlowCallRatio = -0.1, "CircuitBreakerStrategyOptions.SlowCallRatio" },
        { o => o.ConsecutiveFailureThreshold = 0, "CircuitBreakerStrategyOptions.ConsecutiveFailureThreshold" },
        { o => o.MinimumThroughput = 0, "CircuitBreakerStrategyOptions.MinimumThroughput" },
        { o => o.WindowSize = 0, "CircuitBreakerStrategyOptions.WindowSize" },
        { o => o.SamplingDuration = TimeSpan.FromMilliseconds(5), "CircuitBreakerStrategyOptions.SamplingDuration" },
        { o => o.BreakDuration = TimeSpan.Zero, "CircuitBreakerStrategyOptions.BreakDuration" },
        { o => o.PermittedCallsInHalfOpen = 0, "CircuitBreakerStrategyOptions.PermittedCallsInHalfOpen" },
        { o => o.SuccessThresholdInHalfOpen = 2, "CircuitBreakerStrategyOptions.SuccessThresholdInHalfOpen" },
        { o => o.MaxWaitInHalfOpen = TimeSpan.FromSeconds(-1), "CircuitBreakerStrategyOptions.MaxWaitInHalfOpen" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void AddCircuitBreaker_BadOption_ThrowsNamingTheOption(Action<CircuitBreakerStrategyOptions> configure, string option)
    {
        var options = new CircuitBreakerStrategyOptions();
        configure(options);

        var act = () => new ResiliencePipelineBuilder().AddCircuitBreaker(options);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    private ResiliencePipeline Build(Action<CircuitBreakerStrategyOptions> configure)
    {
        var options = new CircuitBreakerStrategyOptions
        {
            StateProvider = _state,
            ManualControl = _manual,
            OnOpened = args => Record($"opened:{args.Reason}"),
            OnClosed = _ => Record("closed"),
            OnHalfOpened = _ => Record("halfopen"),
        };
        configure(options);
        return new ResiliencePipelineBuilder { TimeProvider = _time }.AddCircuitBreaker(options).Build();
    }

    private ValueTask Record(string text)
    {
        _events.Add(text);
        return default;
    }

    private static async Task FailAsync(ResiliencePipeline pipeline, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await pipeline.ExecuteOutcomeAsync(static (_, _) => ValueTask.FromException<int>(new IOException("down")), 0);
        }
    }

    private static async Task SucceedAsync(ResiliencePipeline pipeline, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        }
    }
}
