using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Resilience.CircuitBreaker;
using Resilience.Http.Tests.TestUtils;
using Resilience.Retry;

namespace Resilience.Http.Tests;

/// <summary>Issue 18, points 7 and 13: what the HTTP handler registrations offer a container.</summary>
public class HttpRegistrationTests
{
    private static readonly Uri Url = new("http://inventory.test/items");

    [Fact]
    public async Task StandardHandler_BreakerIsInTheRegistryAndTheHealthCheck_FromTheStart()
    {
        var server = new ScriptedServer(HttpStatusCode.OK);
        var services = new ServiceCollection().AddLogging();
        services.AddHttpClient("inventory").AddStandardResilienceHandler().ConfigurePrimaryHttpMessageHandler(() => server);
        services.AddHealthChecks().AddResilienceHealthChecks();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["resilience-circuit-breakers"].Data.Should().Contain("inventory", "Closed");
        provider.GetRequiredService<CircuitBreakerRegistry>().TryGet("inventory", out var breaker).Should().BeTrue();
        await breaker!.IsolateAsync();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");
        await client.Invoking(c => c.GetAsync(Url)).Should().ThrowAsync<IsolatedCircuitException>("the registry's breaker is the one behind the handler");
        (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["resilience-circuit-breakers"].Status.Should().Be(HealthStatus.Degraded);
    }

    [Fact]
    public async Task StandardHandler_BreakerCountsTransientResponses()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.AddHttpClient("inventory").AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = 1;
            o.Retry.BaseDelay = TimeSpan.Zero;
            o.CircuitBreaker.ConsecutiveFailureThreshold = 2;
        }).ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        (await client.GetAsync(Url)).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        provider.GetRequiredService<CircuitBreakerRegistry>().TryGet("inventory", out var breaker).Should().BeTrue();
        breaker!.State.Should().Be(CircuitState.Open, "two 503s in a row are two failures");
    }

    [Fact]
    public async Task AddResilienceHandler_ByName_UsesThePipelineFromConfiguration()
    {
        var configuration = Configuration(new() { ["P:Retry:MaxRetryAttempts"] = "2", ["P:Retry:BaseDelay"] = "00:00:00" });
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection().AddResiliencePipeline("stock-api", configuration.GetSection("P"));
        services.AddHttpClient("stock").AddResilienceHandler("stock-api").ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("stock");

        using var response = await client.GetAsync(Url);

        response.StatusCode.Should().Be(HttpStatusCode.OK, "transient responses are retried by the configured pipeline");
        server.Calls.Should().Be(3);
    }

    [Fact]
    public async Task AddResilienceHandler_ByName_DoesNotRetryARequestItMayNotReplay()
    {
        var configuration = Configuration(new() { ["P:Retry:MaxRetryAttempts"] = "2", ["P:Retry:BaseDelay"] = "00:00:00" });
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection().AddResiliencePipeline("stock-api", configuration.GetSection("P"));
        services.AddHttpClient("stock").AddResilienceHandler("stock-api").ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("stock");

        using var response = await client.PostAsync(Url, new StringContent("order"));

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a POST is sent once and its first outcome returned");
        server.Calls.Should().Be(1);
    }

    [Fact]
    public async Task AddResilienceHandler_ByName_PrefersAPipelineOfResponsesWithThatName()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection().AddResiliencePipeline<HttpResponseMessage>("stock-api", (pipeline, _) => pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 1,
            BaseDelay = TimeSpan.Zero,
            ShouldHandle = HttpRetryPredicates.TransientAndReplayable,
        }));
        services.AddHttpClient("stock").AddResilienceHandler("stock-api").ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("stock");

        using var response = await client.GetAsync(Url);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Calls.Should().Be(2);
    }

    [Fact]
    public async Task AddResilienceHandler_ByName_UnknownPipeline_FailsNamingIt()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("stock").AddResilienceHandler("stok-api");
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IHttpClientFactory>().CreateClient("stock");

        act.Should().Throw<KeyNotFoundException>().WithMessage("*stok-api*");
    }

    [Fact]
    public async Task AddStandardResilienceHandler_FromConfiguration_BindsTheOptions()
    {
        var configuration = Configuration(new()
        {
            ["Http:TotalTimeout"] = "00:00:20",
            ["Http:Retry:MaxRetryAttempts"] = "1",
            ["Http:Retry:BaseDelay"] = "00:00:00",
            ["Http:CircuitBreaker:MinimumThroughput"] = "50",
            ["Http:Handler:RetryUnsafeMethods"] = "true",
        });
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.AddHttpClient("inventory").AddStandardResilienceHandler(configuration.GetSection("Http")).ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        using var response = await client.PostAsync(Url, new StringContent("order"));

        server.Calls.Should().Be(2, "Retry:MaxRetryAttempts = 1 and Handler:RetryUnsafeMethods = true came from configuration");
    }

    [Fact]
    public void AddStandardResilienceHandler_FromConfiguration_TyposAndBadValuesFailNamingTheirPaths()
    {
        var configuration = Configuration(new()
        {
            ["Http:Retry:MaxRetryAtempts"] = "1",
            ["Http:CircuitBreaker:FailureRatio"] = "7",
        });
        var services = new ServiceCollection();

        var act = () => services.AddHttpClient("inventory").AddStandardResilienceHandler(configuration.GetSection("Http"));

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.StartsWith("Http:Retry:MaxRetryAtempts: unknown key", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Http:CircuitBreaker:FailureRatio:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddResilienceHandler_CallbackReceivesTheServiceProvider()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection().AddSingleton(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 1,
            BaseDelay = TimeSpan.Zero,
            ShouldHandle = HttpRetryPredicates.TransientAndReplayable,
        });
        services.AddHttpClient("inventory")
            .AddResilienceHandler((pipeline, sp) => pipeline.AddRetry(sp.GetRequiredService<RetryStrategyOptions<HttpResponseMessage>>()))
            .ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        using var response = await client.GetAsync(Url);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Calls.Should().Be(2);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
