using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Samples.Console;

/// <summary>
/// A small HTTP server on 127.0.0.1 (a free port chosen by the OS) whose endpoints misbehave on purpose.
/// </summary>
internal sealed class FlakyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _flakyCalls;

    private FlakyServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FlakyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FlakyServer(app);

        // Fails two calls out of three with 503.
        app.MapGet("/flaky", () => Interlocked.Increment(ref server._flakyCalls) % 3 == 0
            ? Results.Text("fresh data")
            : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));

        // Answers only after two seconds, far longer than the sample's timeout allows.
        app.MapGet("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), TimeProvider.System, ct);
            return Results.Text("slow data");
        });

        // Answers after 200 ms: long enough for concurrent calls to pile up on a bulkhead.
        app.MapGet("/slowish", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
            return Results.Text("slowish data");
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
