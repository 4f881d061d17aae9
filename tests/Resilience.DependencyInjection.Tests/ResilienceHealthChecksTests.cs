using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.DependencyInjection.Tests.TestUtils;

namespace Resilience.DependencyInjection.Tests;

/// <summary>Issue 18, points 3, 6, 7, 8 and 9: the health checks as registered by the container.</summary>
public class ResilienceHealthChecksTests
{
    private static readonly DeadLetterError Error = new() { Type = "System.IO.IOException", Message = "down" };

    [Fact]
    public async Task AddResilienceHealthChecks_BeforeAddDeadLetterQueue_StillChecksTheQueue()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks();
        services.AddDeadLetterQueue(_ => { });
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries.Keys.Should().Contain("resilience-dead-letter-queue").And.Contain("resilience-circuit-breakers");
    }

    [Fact]
    public async Task AddResilienceHealthChecks_WithoutAQueue_HasNoQueueCheck()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddResilienceHealthChecks();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries.Keys.Should().Equal("resilience-circuit-breakers");
    }

    [Fact]
    public async Task CircuitBreakerCheck_KnowsConfiguredBreakersBeforeTheirFirstUse()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["P:CircuitBreaker:ConsecutiveFailureThreshold"] = "3",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddResiliencePipeline("stock-api", configuration.GetSection("P"));
        services.AddHealthChecks().AddResilienceHealthChecks();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["resilience-circuit-breakers"].Data.Should().Contain("stock-api", "Closed");
    }

    [Fact]
    public async Task CircuitBreakerCheck_BreakElapsedWhileIdle_IsHealthyAndSaysHalfOpenPending()
    {
        var time = new FakeTimeProvider();
        var registry = new CircuitBreakerRegistry(time);
        var breaker = registry.GetOrAdd("idle-api", new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddCircuitBreaker(breaker).Build();
        await pipeline.Invoking(p => p.ExecuteAsync<int>(static _ => throw new IOException()).AsTask()).Should().ThrowAsync<IOException>();
        var check = new CircuitBreakerHealthCheck(registry);

        (await check.CheckHealthAsync(new HealthCheckContext())).Status.Should().Be(HealthStatus.Degraded, "the break is still running");
        time.Advance(TimeSpan.FromSeconds(31));
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Healthy);
        result.Data.Should().Contain("idle-api", "HalfOpenPending");
        result.Description.Should().Contain("idle-api");
    }

    [Fact]
    public async Task DeadLetterQueue_FromTheContainer_LogsThroughItAndTheCheckShowsTypesWithoutHandlerAndBacklogByStatus()
    {
        var logger = new FakeLogger();
        var services = new ServiceCollection().AddLogging().AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger));
        services.AddDeadLetterQueue(o => o.Name = "orders");
        services.AddHealthChecks().AddResilienceHealthChecks();
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<DeadLetterQueue>();
        await queue.AddAsync("orphan", "x"u8.ToArray(), Error);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        logger.Collector.GetSnapshot().Should().Contain(r => r.Id.Name == "DeadLetterEnqueued");
        var entry = report.Entries["resilience-dead-letter-queue"];
        entry.Data["operationTypesWithoutHandler"].Should().Be("orphan", "health writers print data values with ToString()");
        entry.Description.Should().Contain("orphan");
        entry.Data.Should().Contain("pending", 1).And.Contain("retrying", 0).And.Contain("recovered", 0).And.Contain("exhausted", 0).And.Contain("discarded", 0);
    }
}
