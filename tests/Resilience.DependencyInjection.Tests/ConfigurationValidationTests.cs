using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Resilience.DeadLetter;
using Resilience.DependencyInjection.Configuration;
using Resilience.DependencyInjection.Tests.TestUtils;

namespace Resilience.DependencyInjection.Tests;

/// <summary>Issue 18, points 10 to 12: typos and bad values in configuration are reported with their full key path, all at once.</summary>
public class ConfigurationValidationTests
{
    [Fact]
    public async Task UnknownKeysAndBadValues_AreAllReportedAtOnceWithTheirPaths()
    {
        var configuration = Configuration(new()
        {
            ["Resilience:Pipelines:stock-api:Retyr:MaxRetryAttempts"] = "3",
            ["Resilience:Pipelines:stock-api:CircuitBreaker:FailureRatoi"] = "0.5",
            ["Resilience:Pipelines:stock-api:Retry:BaseDelay"] = "-00:00:01",
            ["Resilience:Pipelines:stock-api:Bulkhead:MaxConcurrency"] = "0",
        });
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("stock-api", configuration.GetSection("Resilience:Pipelines:stock-api"))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptionsMonitor<ResiliencePipelineSettings>>().Get("stock-api");

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:stock-api:Retyr: unknown key", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:stock-api:CircuitBreaker:FailureRatoi: unknown key", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:stock-api:Retry:BaseDelay:", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Resilience:Pipelines:stock-api:Bulkhead:MaxConcurrency:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MisspeltPipelineSection_IsAPipelineWithoutStrategies_AndFails()
    {
        var configuration = Configuration(new() { ["Resilience:Pipelines:stok-api:Retry:MaxRetryAttempts"] = "3" });
        await using var services = new ServiceCollection()
            .AddResiliencePipeline("stock-api", configuration.GetSection("Resilience:Pipelines:stock-api"))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptionsMonitor<ResiliencePipelineSettings>>().Get("stock-api");

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("Resilience:Pipelines:stock-api: no strategy");
    }

    [Fact]
    public async Task Reload_WithATypo_IsRejectedAndLoggedWithThePath()
    {
        var configuration = Configuration(new() { ["P:Retry:MaxRetryAttempts"] = "1", ["P:Retry:BaseDelay"] = "00:00:00" });
        var logger = new FakeLogger();
        await using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(new SingleLoggerFactory(logger))
            .AddResiliencePipeline("p", configuration.GetSection("P"))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline>("p");

        configuration["P:Retry:MaxRetryAtempts"] = "5";
        configuration.Reload();

        logger.Collector.GetSnapshot().Should().Contain(r => r.Id.Id == 10 && r.Message.Contains("P:Retry:MaxRetryAtempts", StringComparison.Ordinal));
        var calls = 0;
        await pipeline.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<IOException>();
        calls.Should().Be(2);
    }

    [Fact]
    public async Task AddDeadLetterQueue_FromASection_ErrorsNameTheKeyPath()
    {
        var configuration = Configuration(new()
        {
            ["Resilience:DeadLetter:MaxAttempts"] = "0",
            ["Resilience:DeadLetter:MaxAtempts"] = "3",
        });
        await using var services = new ServiceCollection().AddDeadLetterQueue(configuration.GetSection("Resilience:DeadLetter")).BuildServiceProvider();

        var act = () => services.GetRequiredService<DeadLetterQueue>();

        var message = act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(2).And.Subject.ToList();
        message.Should().Contain(f => f.StartsWith("Resilience:DeadLetter:MaxAttempts:", StringComparison.Ordinal) && f.Contains("DeadLetterQueueOptions.MaxAttempts", StringComparison.Ordinal));
        message.Should().Contain(f => f.StartsWith("Resilience:DeadLetter:MaxAtempts: unknown key", StringComparison.Ordinal));
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
