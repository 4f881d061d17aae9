using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Samples.AspNetCore.Tests;

/// <summary>
/// The sample maps the operator endpoints behind its operator policy: nobody without the key gets in, not even to
/// the dashboard, and a wrong key is refused like no key.
/// </summary>
public sealed class AdminEndpointsTests : IAsyncLifetime
{
    private const string Key = "sample-test-key";
    private readonly string _deadLetters = Path.Combine(Path.GetTempPath(), "resilience-sample-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _app = OrdersApp.Build(["--urls=http://127.0.0.1:0", $"--Resilience:DeadLetter:Directory={_deadLetters}", $"--Resilience:Admin:OperatorKey={Key}"]);
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_deadLetters, recursive: true);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData(Key, HttpStatusCode.OK)]
    public async Task AdminGroup_RequiresTheOperatorPolicy(string? key, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = _address };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(OperatorKeyAuthenticationHandler.HeaderName, key);
        }

        (await http.GetAsync(new Uri("/resilience/api/status", UriKind.Relative))).StatusCode.Should().Be(expected);
        (await http.GetAsync(new Uri("/resilience/", UriKind.Relative))).StatusCode.Should().Be(expected);
    }
}
