using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Compensation;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// A minimal app on TestServer with every thing the endpoints show: a breaker registry, a bulkhead, a rate limiter,
/// an in-memory dead letter queue, a compensation manager and a recovery workflow, under a fake clock and an
/// "operators" policy that needs the role operator.
/// </summary>
internal sealed class AdminHost : IAsyncDisposable
{
    public const string Operator = "alice";

    private AdminHost(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public CircuitBreakerRegistry Breakers => App.Services.GetRequiredService<CircuitBreakerRegistry>();

    public DeadLetterQueue DeadLetters => App.Services.GetRequiredService<DeadLetterQueue>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<AdminHost> StartAsync(
        Action<ResilienceAdminOptions>? configure = null,
        Action<RouteGroupBuilderHolder>? map = null,
        string environment = "Production",
        string? deadLetterDirectory = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireAuthenticatedUser().RequireRole("operator")));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(new CircuitBreakerRegistry(time));
        builder.Services.AddKeyedSingleton("db", (_, _) => new SharedBulkhead("db", new BulkheadStrategyOptions { MaxConcurrency = 4 }, time));
        builder.Services.AddSingleton(_ => DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = deadLetterDirectory, TimeProvider = time, Randomizer = () => 0 }));
        builder.Services.AddSingleton(sp => new CompensationManager(new CompensationOptions { TimeProvider = time, DeadLetterQueue = sp.GetRequiredService<DeadLetterQueue>() }));
        builder.Services.AddSingleton(new RecoveryHistory());
        builder.Services.AddKeyedSingleton("payments", (sp, _) => new RecoveryWorkflowBuilder("payments") { TimeProvider = time, History = sp.GetRequiredService<RecoveryHistory>() }
            .Step("probe", _ => default)
            .Build());
        builder.Services.AddResilienceAdmin(o =>
        {
            o.RateLimiters["outbound"] = new System.Threading.RateLimiting.ConcurrencyLimiter(new() { PermitLimit = 3, QueueLimit = 0 });
            configure?.Invoke(o);
        });

        var app = builder.Build();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        var group = app.MapResilienceAdmin("/resilience");
        if (map is null)
        {
            group.RequireAuthorization("operators");
        }
        else
        {
            map(new RouteGroupBuilderHolder(group));
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new AdminHost(app, time);
    }

    public HttpClient Client(string? user = Operator, string roles = "operator")
    {
        var client = App.GetTestClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", user);
            client.DefaultRequestHeaders.Add("X-Test-Roles", roles);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public SharedCircuitBreaker AddBreaker(string name)
        => Breakers.GetOrAdd(name, new CircuitBreaker.CircuitBreakerStrategyOptions { BreakDuration = TimeSpan.FromSeconds(30) });

    public ValueTask<DeadLetterEntry> AddDeadLetterAsync(string operationType, string message, string frame = "   at Shop.Orders.Charge()")
        => DeadLetters.AddAsync(operationType, "{\"card\":\"4111\"}"u8.ToArray(), new DeadLetterError { Type = "System.Net.Http.HttpRequestException", Message = message, StackTrace = frame });

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The group, for tests that map it their own way.</summary>
internal sealed record RouteGroupBuilderHolder(Microsoft.AspNetCore.Routing.RouteGroupBuilder Group);
