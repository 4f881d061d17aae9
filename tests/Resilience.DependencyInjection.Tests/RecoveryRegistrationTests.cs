using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.DependencyInjection;
using Resilience.Recovery;

namespace Resilience.DependencyInjection.Tests;

public class RecoveryRegistrationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task AddRecoveryWorkflow_ResolvesByName_WithTheContainersTimeAndSharedHistory()
    {
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddRecoveryWorkflow("api-failure", w => w.Handles("api-failure").Step("advance", _ =>
            {
                _time.Advance(TimeSpan.FromSeconds(3));
                return default;
            }))
            .AddRecoveryWorkflow("cache-failure", w => w.Step("noop", _ => default))
            .BuildServiceProvider();

        var workflow = services.GetRequiredKeyedService<RecoveryWorkflow>("api-failure");
        var record = await workflow.RunAsync(RecoveryTrigger.Manual);
        await services.GetRequiredKeyedService<RecoveryWorkflow>("cache-failure").RunAsync(RecoveryTrigger.Manual);

        workflow.FailureKind.Should().Be("api-failure");
        record.Duration.Should().Be(TimeSpan.FromSeconds(3), "the container's TimeProvider is the workflow's");
        services.GetRequiredService<RecoveryHistory>().WorkflowNames.Should().Equal("api-failure", "cache-failure");
    }

    [Fact]
    public void AddRecoveryWorkflow_SameNameTwice_Throws()
    {
        var services = new ServiceCollection().AddRecoveryWorkflow("api-failure", w => w.Step("a", _ => default));

        var again = () => services.AddRecoveryWorkflow("api-failure", w => w.Step("a", _ => default));

        again.Should().Throw<ArgumentException>().WithMessage("*'api-failure' is already registered*");
    }

    [Fact]
    public async Task Start_InvalidStepOption_FailsNamingTheWorkflowStepAndOption()
    {
        await using var services = new ServiceCollection()
            .AddRecoveryWorkflow("api-failure", w => w.Step("test connectivity", _ => default, s => s.Timeout = TimeSpan.FromSeconds(-1)))
            .BuildServiceProvider();

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Contain("RecoveryStepOptions.Timeout (workflow 'api-failure', step 'test connectivity')");
    }

    [Fact]
    public async Task Start_MonitorSignalForAnUnknownWorkflowOrHealthCheck_FailsNamingIt()
    {
        await using var unknownWorkflow = new ServiceCollection()
            .AddCircuitBreakerRegistry()
            .AddRecoveryWorkflow("api-failure", w => w.Step("a", _ => default))
            .AddRecoveryMonitor(m => m.OnCircuitBreaker("orders-api", "database-failure"))
            .BuildServiceProvider();
        await using var unknownCheck = new ServiceCollection()
            .AddRecoveryWorkflow("api-failure", w => w.Step("a", _ => default))
            .AddRecoveryMonitor(m => m.OnHealthCheck("orders-api", "api-failure"))
            .BuildServiceProvider();

        FluentActions.Invoking(() => unknownWorkflow.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*Signals[0] ('circuit-breaker:orders-api')*'database-failure'*");
        FluentActions.Invoking(() => unknownCheck.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*health check 'orders-api'*no registered health check*");
    }

    [Fact]
    public async Task Start_BadMonitorInterval_FailsNamingIt()
    {
        await using var services = new ServiceCollection()
            .AddRecoveryWorkflow("api-failure", w => w.Step("a", _ => default))
            .AddRecoveryMonitor(m => m.Interval = TimeSpan.Zero)
            .BuildServiceProvider();

        FluentActions.Invoking(() => services.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*RecoveryMonitorOptions.Interval*");
    }

    [Fact]
    public async Task HostedMonitor_UnhealthyCheck_TriggersTheWorkflowOnce_ThenStopsCleanly()
    {
        var check = new ToggleHealthCheck();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(_time)
            .AddRecoveryWorkflow("api-failure", w => w.Step("heal", async ctx =>
            {
                runs++;
                await release.Task.WaitAsync(ctx.CancellationToken);
            }))
            .AddRecoveryMonitor(m =>
            {
                m.Interval = TimeSpan.FromSeconds(10);
                m.OnHealthCheck("orders-api", "api-failure");
            });
        services.AddHealthChecks().AddCheck("orders-api", check);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var hosted = provider.GetServices<IHostedService>().OfType<RecoveryMonitorHostedService>().Should().ContainSingle().Subject;
        var workflow = provider.GetRequiredKeyedService<RecoveryWorkflow>("api-failure");

        await hosted.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        workflow.CurrentRun.Should().BeNull("the check is healthy");

        check.Status = HealthStatus.Unhealthy;
        _time.Advance(TimeSpan.FromSeconds(10));
        var run = workflow.CurrentRun;
        run.Should().NotBeNull();
        run!.Trigger.Should().Be(RecoveryTrigger.Automatic);
        run.TriggeredBy.Should().StartWith("health-check:orders-api");
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        workflow.CurrentRun.Should().BeSameAs(run);
        runs.Should().Be(1, "no duplicate while the run is in progress");
        check.Checks.Should().Be(4);

        await hosted.StopAsync(CancellationToken.None);
        (await run.Completion).State.Should().Be(RecoveryRunState.Cancelled, "shutdown cancels the runs the monitor started");
        provider.GetRequiredService<RecoveryMonitor>().IsRunning.Should().BeFalse();
    }

    [Fact]
    public async Task HealthCheckSignal_ThrowingCheck_IsItsFailureStatus_DegradedOnlyWhenAsked()
    {
        var throwing = new HealthCheckRecoverySignal("db", new ThrowingHealthCheck(), "database-failure");
        var degraded = new ToggleHealthCheck { Status = HealthStatus.Degraded };

        (await throwing.CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeTrue();
        (await new HealthCheckRecoverySignal("db", degraded, "database-failure").CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeFalse();
        (await new HealthCheckRecoverySignal("db", degraded, "database-failure", HealthStatus.Degraded).CheckAsync(CancellationToken.None)).IsUnhealthy.Should().BeTrue();
    }

    [Fact]
    public async Task Workflow_StepsResolveServices()
    {
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddCircuitBreakerRegistry()
            .AddRecoveryWorkflow("api-failure", (w, sp) => w
                .Step("reset breaker", RecoverySteps.CloseCircuitBreaker(sp.GetRequiredService<CircuitBreakerRegistry>(), "orders-api")))
            .BuildServiceProvider();
        var breaker = services.GetRequiredService<CircuitBreakerRegistry>().GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        await breaker.IsolateAsync();

        var record = await services.GetRequiredKeyedService<RecoveryWorkflow>("api-failure").RunAsync(RecoveryTrigger.Manual);

        record.State.Should().Be(RecoveryRunState.Succeeded);
        breaker.State.Should().Be(CircuitState.Closed);
    }

    private sealed class ToggleHealthCheck : IHealthCheck
    {
        public HealthStatus Status { get; set; } = HealthStatus.Healthy;

        public int Checks { get; private set; }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Checks++;
            return Task.FromResult(new HealthCheckResult(Status, "orders API"));
        }
    }

    private sealed class ThrowingHealthCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("cannot connect");
    }
}
