using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Resilience.Compensation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.Samples.AspNetCore;

/// <summary>
/// Builds the sample app; tests build it too, on 127.0.0.1 with a free port and their own clock.
/// </summary>
public static class OrdersApp
{
    /// <summary>Builds the app.</summary>
    /// <param name="args">Command-line arguments (--urls=..., --contentRoot=..., --Resilience:DeadLetter:Directory=...).</param>
    /// <param name="configureServices">Lets tests replace services (a fake clock).</param>
    /// <returns>The app, not started.</returns>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");
        builder.Services.AddSingleton<Downstream>();
        builder.Services.AddCircuitBreakerRegistry();
        // The inventory pipeline comes from appsettings.json (Resilience:Pipelines:inventory): total timeout, retry,
        // circuit breaker (listed in the registry for /health), attempt timeout. Edit the file while the app runs: the
        // pipeline is rebuilt and the breaker keeps its state.
        builder.Services.AddResiliencePipeline("inventory", builder.Configuration.GetSection("Resilience:Pipelines:inventory"));
        var deadLetters = builder.Configuration.GetSection("Resilience:DeadLetter");
        deadLetters["Directory"] = DeadLetterDirectory(builder);
        builder.Services.AddDeadLetterQueue(deadLetters);
        builder.Services.AddCompensationManager(options => options.MaxAttempts = 1);
        builder.Services.AddHealthChecks().AddResilienceHealthChecks();
        builder.Services.AddHttpClient("inventory");
        AddInventoryRecovery(builder);
        AddOperatorSecurity(builder);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        // The operator endpoints and dashboard (/resilience/), for the role operator only: the host would refuse to
        // start without RequireAuthorization.
        app.MapResilienceAdmin("/resilience").RequireAuthorization(OperatorPolicy);
        MapDownstream(app);
        MapOrders(app);
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = StatusCodes.Status200OK },
        });
        RegisterDeadLetterHandler(app);
        SampleLog.DeadLettersKeptIn(app.Logger, deadLetters["Directory"]!);
        return app;
    }

    /// <summary>The authorization policy of the operator endpoints.</summary>
    public const string OperatorPolicy = "resilience-operators";

    private static void AddOperatorSecurity(WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(OperatorKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OperatorKeyAuthenticationHandler>(OperatorKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(options => options.AddPolicy(OperatorPolicy, policy => policy.RequireAuthenticatedUser().RequireRole("operator")));
        builder.Services.AddProblemDetails();
        builder.Services.AddResilienceAdmin(options =>
        {
            // The payload is a reservation (order id and SKU): nothing secret, so operators may see it.
            options.RevealPayload = entry => System.Text.Encoding.UTF8.GetString(entry.Payload.Span);
        });
    }

    /// <summary>
    /// Resilience:DeadLetter:Directory, from appsettings.json, the Resilience__DeadLetter__Directory environment
    /// variable or --Resilience:DeadLetter:Directory=...; a relative path is under the content root (the project folder
    /// under <c>dotnet run</c>), and data/dead-letters there by default (git ignores it). Not a fixed folder of the
    /// system temp directory: every run and every user of the machine would share that queue.
    /// </summary>
    private static string DeadLetterDirectory(WebApplicationBuilder builder) => Path.GetFullPath(
        builder.Configuration["Resilience:DeadLetter:Directory"] is { Length: > 0 } configured ? configured : Path.Combine("data", "dead-letters"),
        builder.Environment.ContentRootPath);

    /// <summary>
    /// While the inventory breaker is open, the recovery monitor runs "heal-inventory": probe the service's health
    /// endpoint (not the reservation endpoint: a probe must not reserve stock), and once it answers, close the breaker
    /// so orders go through again without waiting out the 30-second break. Resilience:Recovery:MonitorInterval sets how
    /// often the monitor looks (10 s by default); GET /recovery shows the runs.
    /// </summary>
    private static void AddInventoryRecovery(WebApplicationBuilder builder)
    {
        builder.Services.AddRecoveryWorkflow("heal-inventory", (workflow, services) => workflow
            .Handles("inventory-outage")
            .Step("probe inventory", RecoverySteps.Probe(ct => ProbeInventoryAsync(services, ct)), step => step.Timeout = TimeSpan.FromSeconds(2))
            .Step("close inventory breaker", RecoverySteps.CloseCircuitBreaker(services.GetRequiredService<CircuitBreakerRegistry>(), "inventory")));
        var interval = builder.Configuration.GetValue("Resilience:Recovery:MonitorInterval", TimeSpan.FromSeconds(10));
        builder.Services.AddRecoveryMonitor(monitor =>
        {
            monitor.Interval = interval;
            monitor.OnCircuitBreaker("inventory", "heal-inventory");
        });
    }

    private static async ValueTask<bool> ProbeInventoryAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var self = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("inventory-probe");
        using var response = await client.GetAsync(new Uri(new Uri(self), "/downstream/health"), cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private static void MapDownstream(WebApplication app)
    {
        app.MapGet("/downstream/health", (Downstream downstream) => downstream.Failing ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("healthy"));
        app.MapGet("/downstream/reserve", (Downstream downstream) =>
        {
            downstream.Hit();
            return downstream.Failing ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("reserved");
        });
        app.MapPost("/downstream/failing", (Downstream downstream, bool on) =>
        {
            downstream.Failing = on;
            return Results.Ok(new { failing = on });
        });
    }

    private static void MapOrders(WebApplication app)
    {
        app.MapPost("/orders", async (
            [FromKeyedServices("inventory")] ResiliencePipeline inventory,
            IHttpClientFactory clients,
            CompensationManager compensations,
            DeadLetterQueue deadLetters,
            HttpContext http,
            bool? failShipment,
            CancellationToken ct) =>
        {
            var orderId = "order-" + Guid.NewGuid().ToString("N")[..8];
            var steps = new List<string>();
            var client = clients.CreateClient("inventory");
            client.BaseAddress = new Uri($"{http.Request.Scheme}://{http.Request.Host}");
            var scope = compensations.Begin(orderId);
            try
            {
                scope.Register(() => steps.Add("compensated: released inventory"));
                var reservation = new Reservation(orderId, "sku-1");
                var outcome = await inventory.ExecuteOutcomeAsync(static (c, token) => new ValueTask<string>(c.GetStringAsync(new Uri("/downstream/reserve", UriKind.Relative), token)), client, ct);
                if (outcome.Exception is { } failure)
                {
                    var entry = await deadLetters.AddAsync("reserve-inventory", reservation, SampleJsonContext.Default.Reservation, failure, cancellationToken: ct);
                    steps.Add($"reserve inventory failed ({failure.GetType().Name}); dead-lettered as {entry.Id}");
                    scope.Complete();
                    return Results.Ok(new OrderResult(orderId, "dead-lettered", steps));
                }

                steps.Add("reserved inventory");
                scope.Register(() => steps.Add("compensated: refunded payment"));
                steps.Add("charged payment");
                if (failShipment == true)
                {
                    throw new InvalidOperationException("shipment service refused the order");
                }

                steps.Add("created shipment");
                scope.Complete();
                return Results.Ok(new OrderResult(orderId, "placed", steps));
            }
            catch (InvalidOperationException ex)
            {
                steps.Add("failed: " + ex.Message);
                await scope.CompensateAsync();
                return Results.Ok(new OrderResult(orderId, "rolled-back", steps));
            }
            finally
            {
                await scope.DisposeAsync();
            }
        });

        app.MapGet("/recovery", ([FromKeyedServices("heal-inventory")] RecoveryWorkflow workflow) => Results.Ok(
            workflow.History.GetRuns(workflow.Name).Select(r => new
            {
                r.RunId,
                trigger = r.Trigger.ToString(),
                state = r.State.ToString(),
                steps = r.Steps.Select(s => $"{s.Name}: {s.Status}"),
                error = r.Error?.Message,
            })));

        app.MapGet("/dead-letters", (DeadLetterQueue deadLetters) => Results.Ok(new
        {
            statistics = deadLetters.GetStatistics(),
            entries = deadLetters.Query().Entries.Select(e => new { e.Id, e.OperationType, status = e.Status.ToString(), e.AttemptCount, error = e.Error.Message }),
        }));
    }

    private static void RegisterDeadLetterHandler(WebApplication app)
    {
        var deadLetters = app.Services.GetRequiredService<DeadLetterQueue>();
        var downstream = app.Services.GetRequiredService<Downstream>();
        deadLetters.RegisterHandler("reserve-inventory", SampleJsonContext.Default.Reservation, (reservation, attempt, _) =>
        {
            // The retry processor calls the inventory service again; it succeeds once the service has healed.
            downstream.HitFromProcessor();
            return downstream.Failing ? throw new HttpRequestException("inventory still unavailable") : ValueTask.CompletedTask;
        });
    }
}
