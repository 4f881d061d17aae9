using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Chaos;
using Resilience.Telemetry;
using Resilience.Tests.Telemetry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Chaos;

[Collection(TelemetryListenersDefinition.Name)]
public class ChaosStrategyTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(0.29, true)]
    [InlineData(0.30, false)]
    [InlineData(0.99, false)]
    public async Task Fault_InjectedWhenTheRollIsBelowTheRate(double roll, bool injected)
    {
        var raised = new List<Exception>();
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 0.3,
                Randomizer = () => roll,
                FaultGenerator = static _ => new ValueTask<Exception?>(new TimeoutException("chaos")),
                OnFaultInjected = args =>
                {
                    raised.Add(args.Fault);
                    return default;
                },
            })
            .Build();
        var calls = 0;

        var outcome = await pipeline.ExecuteOutcomeAsync((_, _) => new ValueTask<int>(++calls), 0);

        if (injected)
        {
            outcome.Exception.Should().BeOfType<TimeoutException>().Which.Message.Should().Be("chaos");
            calls.Should().Be(0, "an injected fault replaces the call");
            raised.Should().ContainSingle();
        }
        else
        {
            outcome.Result.Should().Be(1);
            raised.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Fault_GeneratorReturnsNull_TheCallRuns()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddChaosFault(1.0, () => null).Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(5))).Should().Be(5);
    }

    [Fact]
    public async Task Fault_SeededRandomizer_InjectsTheExpectedShare()
    {
        var random = new Random(42);
        var pipeline = new ResiliencePipelineBuilder()
            .AddChaosFault(new ChaosFaultStrategyOptions { InjectionRate = 0.25, Randomizer = random.NextDouble, FaultGenerator = static _ => new ValueTask<Exception?>(new IOException()) })
            .Build();
        var failures = 0;

        for (var i = 0; i < 1000; i++)
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
            failures += outcome.HasResult ? 0 : 1;
        }

        failures.Should().BeInRange(200, 300);
    }

    [Fact]
    public async Task Outcome_GenericPipeline_ReturnsTheInjectedResult()
    {
        Outcome<int>? seen = null;
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<int>
            {
                InjectionRate = 1,
                OutcomeGenerator = static _ => new ValueTask<Outcome<int>?>(Outcome.FromResult(-1)),
                OnOutcomeInjected = args =>
                {
                    seen = args.Outcome;
                    return default;
                },
            })
            .Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1))).Should().Be(-1);
        seen!.Value.Result.Should().Be(-1);
    }

    [Fact]
    public async Task Outcome_Shorthand_InjectsTheResult()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddChaosOutcome(1.0, () => "chaos").Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<string>("real"))).Should().Be("chaos");
    }

    [Fact]
    public async Task Outcome_NonGenericPipeline_ConvertsOrFailsWithInvalidCast()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions { InjectionRate = 1, OutcomeGenerator = static _ => new ValueTask<Outcome<object>?>(Outcome.FromResult<object>(7)) })
            .Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1))).Should().Be(7);
        var act = async () => await pipeline.ExecuteAsync(static _ => new ValueTask<string>("x"));
        await act.Should().ThrowAsync<InvalidCastException>();
    }

    [Fact]
    public async Task Latency_DelaysTheCallOnTheTimeProvider()
    {
        var injected = new List<TimeSpan>();
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                InjectionRate = 1,
                Latency = TimeSpan.FromSeconds(5),
                OnLatencyInjected = args =>
                {
                    injected.Add(args.Latency);
                    return default;
                },
            })
            .Build();
        var calls = 0;

        var pending = pipeline.ExecuteAsync(_ => new ValueTask<int>(++calls)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(4.9));
        pending.IsCompleted.Should().BeFalse();
        calls.Should().Be(0);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        (await pending).Should().Be(1);
        injected.Should().Equal(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Latency_CallerCancelsDuringTheWait_StopsWithoutRunningTheCall()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }.AddChaosLatency(1.0, TimeSpan.FromMinutes(1)).Build();
        using var caller = new CancellationTokenSource();
        var calls = 0;

        var pending = pipeline.ExecuteAsync(_ => new ValueTask<int>(++calls), caller.Token).AsTask();
        await caller.CancelAsync();

        await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(0);
    }

    [Fact]
    public async Task Latency_Generator_ChoosesTheLatency()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = 1, LatencyGenerator = static _ => new ValueTask<TimeSpan>(TimeSpan.FromSeconds(2)) })
            .Build();

        var pending = pipeline.ExecuteAsync(static _ => new ValueTask<int>(3)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2));

        (await pending).Should().Be(3);
    }

    [Fact]
    public async Task Behavior_RunsBeforeTheCall()
    {
        var log = new List<string>();
        var pipeline = new ResiliencePipelineBuilder()
            .AddChaosBehavior(new ChaosBehaviorStrategyOptions
            {
                InjectionRate = 1,
                BehaviorGenerator = _ =>
                {
                    log.Add("behaviour");
                    return default;
                },
                OnBehaviorInjected = _ =>
                {
                    log.Add("event");
                    return default;
                },
            })
            .Build();

        await pipeline.ExecuteAsync(_ =>
        {
            log.Add("call");
            return default;
        });

        log.Should().Equal("behaviour", "event", "call");
    }

    [Fact]
    public async Task Behavior_Throws_TheCallFailsWithItsExceptionAndDoesNotRun()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddChaosBehavior(1.0, static _ => throw new InvalidOperationException("restart failed")).Build();
        var calls = 0;

        var outcome = await pipeline.ExecuteOutcomeAsync((_, _) => new ValueTask<int>(++calls), 0);

        outcome.Exception.Should().BeOfType<InvalidOperationException>();
        calls.Should().Be(0);
    }

    [Fact]
    public async Task EnabledGenerator_DecidesPerCall()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 1,
                Enabled = false,
                EnabledGenerator = static args => new ValueTask<bool>(args.Context.OperationKey == "chaos"),
                FaultGenerator = static _ => new ValueTask<Exception?>(new IOException()),
            })
            .Build();

        var chaos = ResilienceContextPool.Shared.Get("chaos");
        var calm = ResilienceContextPool.Shared.Get("calm");
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromResultAsValueTask(1), chaos, 0)).HasResult.Should().BeFalse("the generator replaces Enabled");
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromResultAsValueTask(1), calm, 0)).HasResult.Should().BeTrue();
    }

    [Fact]
    public async Task InjectionRateGenerator_ReplacesTheRate_AndIsClamped()
    {
        var rate = 0.0;
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 0,
                InjectionRateGenerator = _ => new ValueTask<double>(rate),
                Randomizer = static () => 0.999,
                FaultGenerator = static _ => new ValueTask<Exception?>(new IOException()),
            })
            .Build();

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).HasResult.Should().BeTrue();
        rate = 5;
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).HasResult.Should().BeFalse();
    }

    [Fact]
    public async Task FailingGenerator_FailsTheCallAsAnOutcome()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions { InjectionRate = 1, EnabledGenerator = static _ => throw new FormatException(), FaultGenerator = static _ => default })
            .Build();

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).Exception.Should().BeOfType<FormatException>();
    }

    [Fact]
    public async Task Switch_Off_NothingIsInjected_AndTurningItOnTakesEffectAtOnce()
    {
        var chaosSwitch = new ChaosSwitch();
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions { InjectionRate = 1, Switch = chaosSwitch, FaultGenerator = static _ => new ValueTask<Exception?>(new IOException()) })
            .Build();

        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).HasResult.Should().BeTrue("a new switch is off");
        chaosSwitch.IsEnabled = true;
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).HasResult.Should().BeFalse();
        chaosSwitch.IsEnabled = false;
        (await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0)).HasResult.Should().BeTrue();
    }

    [Fact]
    public async Task SynchronousExecute_LatencyWaitsOnTheCallingThreadThroughTheFakeClock()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }.AddChaosLatency(1.0, TimeSpan.FromSeconds(3)).Build();
        var caller = 0;
        var ranOn = 0;

        var run = Task.Factory.StartNew(
            () =>
            {
                caller = Environment.CurrentManagedThreadId;
                return pipeline.Execute(_ =>
                {
                    ranOn = Environment.CurrentManagedThreadId;
                    return 4;
                });
            },
            TaskCreationOptions.LongRunning);
        while (!run.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        (await run).Should().Be(4);
        ranOn.Should().Be(caller);
    }

    public static TheoryData<string, Func<ResiliencePipelineBuilder<int>, ResiliencePipelineBuilder<int>>> DisabledChaos() => new()
    {
        { "Enabled = false", b => b.AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, InjectionRate = 1, FaultGenerator = static _ => default }) },
        { "switch off", b => b.AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = 1, Switch = new ChaosSwitch() }) },
        { "rate 0", b => b.AddChaosOutcome(0.0, static () => 1) },
        { "all four, disabled", b => b
            .AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, FaultGenerator = static _ => default })
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<int> { Enabled = false, OutcomeGenerator = static _ => default })
            .AddChaosLatency(new ChaosLatencyStrategyOptions { Enabled = false })
            .AddChaosBehavior(new ChaosBehaviorStrategyOptions { Enabled = false, BehaviorGenerator = static _ => default }) },
    };

    [Theory]
    [MemberData(nameof(DisabledChaos))]
    public void DisabledChaos_AllocatesNothingOnTheSuccessPath(string configuration, Func<ResiliencePipelineBuilder<int>, ResiliencePipelineBuilder<int>> add)
    {
        var pipeline = add(new ResiliencePipelineBuilder<int> { Name = configuration }).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42))).Should().Be(0);
    }

    [Fact]
    public void ChaosThatCanNeverInject_IsNotAddedToThePipeline_ButOneASwitchCanTurnOnIs()
    {
        var neverOn = new ResiliencePipelineBuilder<int>()
            .AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, InjectionRate = 1, FaultGenerator = static _ => default })
            .AddChaosOutcome(0.0, static () => 1)
            .AddChaosLatency(new ChaosLatencyStrategyOptions { Enabled = false, Switch = new ChaosSwitch { IsEnabled = true } })
            .AddChaosBehavior(new ChaosBehaviorStrategyOptions { Enabled = false, BehaviorGenerator = static _ => default })
            .Build();
        var switchable = new ResiliencePipelineBuilder<int>()
            .AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = 1, Switch = new ChaosSwitch() })
            .AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, EnabledGenerator = static _ => new ValueTask<bool>(true), FaultGenerator = static _ => default })
            .Build();

        neverOn.Inner.Strategies.Should().BeEmpty("a disabled strategy with no generator, or a fixed rate of 0, costs nothing when left out");
        switchable.Inner.Strategies.Should().HaveCount(2);
    }

    [Fact]
    public void ChaosThatCanNeverInject_IsStillValidated()
    {
        var act = () => new ResiliencePipelineBuilder().AddChaosLatency(new ChaosLatencyStrategyOptions { Enabled = false, Latency = TimeSpan.FromSeconds(-1) });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ChaosLatencyStrategyOptions.Latency");
    }

    [Fact]
    public void DisabledChaos_NonGenericPipeline_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddChaosFault(new ChaosFaultStrategyOptions { Switch = new ChaosSwitch(), InjectionRate = 1, FaultGenerator = static _ => default }).Build();

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42))).Should().Be(0);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void InjectionRateOutOfRange_IsRejectedNamingTheOption(double rate)
    {
        var act = () => new ResiliencePipelineBuilder().AddChaosFault(new ChaosFaultStrategyOptions { InjectionRate = rate, FaultGenerator = static _ => default });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'ChaosFaultStrategyOptions.InjectionRate'*");
    }

    [Fact]
    public void MissingGenerators_AreRejectedNamingTheOption()
    {
        new Action(() => new ResiliencePipelineBuilder().AddChaosFault(new ChaosFaultStrategyOptions()))
            .Should().Throw<ArgumentNullException>().WithMessage("*'ChaosFaultStrategyOptions.FaultGenerator'*");
        new Action(() => new ResiliencePipelineBuilder<int>().AddChaosOutcome(new ChaosOutcomeStrategyOptions<int>()))
            .Should().Throw<ArgumentNullException>().WithMessage("*'ChaosOutcomeStrategyOptions.OutcomeGenerator'*");
        new Action(() => new ResiliencePipelineBuilder().AddChaosBehavior(new ChaosBehaviorStrategyOptions()))
            .Should().Throw<ArgumentNullException>().WithMessage("*'ChaosBehaviorStrategyOptions.BehaviorGenerator'*");
        new Action(() => new ResiliencePipelineBuilder().AddChaosLatency(new ChaosLatencyStrategyOptions { Latency = TimeSpan.FromSeconds(-1) }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'ChaosLatencyStrategyOptions.Latency'*");
    }

    [Fact]
    public void Defaults_MatchSimmy()
    {
        var options = new ChaosLatencyStrategyOptions();

        options.InjectionRate.Should().Be(0.001);
        options.Enabled.Should().BeTrue();
        options.Latency.Should().Be(TimeSpan.FromSeconds(30));
        options.Switch.Should().BeNull();
    }

    [Fact]
    public async Task Injections_AreCountedOnTheChaosFamily()
    {
        using var meters = new TestMeterFactory();
        using var family = new MetricCollector<long>(meters, ResilienceTelemetryNames.Meter, "resilience.chaos.injections");
        using var pipeline = new ResiliencePipelineBuilder<int> { MeterFactory = meters }
            .AddChaosBehavior(1.0, static _ => default)
            .AddChaosFault(1.0, static () => new IOException())
            .Build();

        await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        family.GetMeasurementSnapshot().Select(m => m.Tags[ResilienceTelemetryNames.EventTag]).Should().Equal("OnBehaviorInjected", "OnFaultInjected");
    }
}
