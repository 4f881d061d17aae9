using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Resilience.CircuitBreaker;

namespace Resilience.DependencyInjection.Tests;

public class ConfigurationBindingTests
{
    [Fact]
    public async Task AddResiliencePipeline_FromConfiguration_BuildsTheDescribedPipeline()
    {
        var configuration = Configuration(new()
        {
            ["Resilience:Pipelines:orders-api:TotalTimeout"] = "00:00:30",
            ["Resilience:Pipelines:orders-api:Retry:MaxRetryAttempts"] = "2",
            ["Resilience:Pipelines:orders-api:Retry:BaseDelay"] = "00:00:00",
            ["Resilience:Pipelines:orders-api:Retry:BackoffType"] = "Constant",
            ["Resilience:Pipelines:orders-api:AttemptTimeout"] = "00:00:05",
        });
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("orders-api", configuration.GetSection("Resilience:Pipelines:orders-api"))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("orders-api");
        var calls = 0;

        await pipeline.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<IOException>();

        calls.Should().Be(3, "MaxRetryAttempts = 2 came from configuration");
    }

    [Fact]
    public async Task AddResiliencePipeline_InvalidConfiguration_FailsWithThePathOfTheBadKey()
    {
        var configuration = Configuration(new()
        {
            ["Resilience:Pipelines:orders-api:Retry:BaseDelay"] = "-00:00:01",
            ["Resilience:Pipelines:orders-api:AttemptTimeout"] = "00:00:00",
        });
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("orders-api", configuration.GetSection("Resilience:Pipelines:orders-api"))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptionsMonitor<Configuration.ResiliencePipelineSettings>>().Get("orders-api");

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures;
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:orders-api:Retry:BaseDelay:", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:orders-api:AttemptTimeout:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_RebuildsThePipelineAndKeepsTheBreakersState()
    {
        var configuration = Configuration(new()
        {
            ["P:Retry:MaxRetryAttempts"] = "1",
            ["P:Retry:BaseDelay"] = "00:00:00",
            ["P:CircuitBreaker:ConsecutiveFailureThreshold"] = "2",
            ["P:CircuitBreaker:BreakDuration"] = "00:10:00",
        });
        await using var services = new ServiceCollection().AddResiliencePipeline("p", configuration.GetSection("P")).BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("p");
        var calls = 0;

        // Two failing attempts (one call, one retry) open the breaker; the retry then meets the open circuit.
        await pipeline.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<Exception>();
        configuration["P:Retry:MaxRetryAttempts"] = "3";
        configuration.Reload();

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.Exception.Should().BeOfType<BrokenCircuitException>("the reload rebuilt the retry but kept the open breaker");
        calls.Should().Be(2);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
