using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Recovery;

namespace Resilience.Samples.AspNetCore.Tests;

/// <summary>
/// Starts the sample on real Kestrel (127.0.0.1, a free port) and drives it over HTTP. The pipeline's retry delays are
/// 20 ms and the dead letter processor's first retry comes after 0.5-1 s, so the whole story takes a few seconds.
/// </summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync.
public sealed class OrdersAppTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _deadLetters = Path.Combine(Path.GetTempPath(), "resilience-sample-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = OrdersApp.Build(["--urls=http://127.0.0.1:0", $"--Resilience:DeadLetter:Directory={_deadLetters}", "--Resilience:Recovery:MonitorInterval=01:00:00"]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_deadLetters, recursive: true);
    }

    [Fact]
    public async Task OrdersStory_RetryBreakerHealthCompensationAndDeadLetterRecovery()
    {
        var downstream = _app.Services.GetRequiredService<Downstream>();

        var placed = await PlaceOrderAsync();
        placed.GetProperty("status").GetString().Should().Be("placed");
        downstream.Calls.Should().Be(1);

        var rolledBack = await PlaceOrderAsync("?failShipment=true");
        rolledBack.GetProperty("status").GetString().Should().Be("rolled-back");
        rolledBack.GetProperty("steps").EnumerateArray().Select(s => s.GetString()).Should().EndWith(
            ["failed: shipment service refused the order", "compensated: refunded payment", "compensated: released inventory"]);

        (await _http.PostAsync(new Uri("/downstream/failing?on=true", UriKind.Relative), null)).EnsureSuccessStatusCode();
        var before = downstream.Calls;
        var deadLettered = await PlaceOrderAsync();
        deadLettered.GetProperty("status").GetString().Should().Be("dead-lettered");
        (downstream.Calls - before).Should().Be(3, "the first attempt and two retries reached the service");

        await PlaceOrderAsync();
        var health = await _http.GetStringAsync(new Uri("/health", UriKind.Relative));
        health.Should().Be("Degraded", "six failures in a row opened the inventory breaker");

        (await _http.PostAsync(new Uri("/downstream/failing?on=false", UriKind.Relative), null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 100 && await PendingAsync() > 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        (await PendingAsync()).Should().Be(0, "the hosted processor retried the dead letters once the service healed");
        var letters = await _http.GetFromJsonAsync<JsonElement>(new Uri("/dead-letters", UriKind.Relative));
        letters.GetProperty("entries").EnumerateArray().Should().HaveCount(2).And.OnlyContain(e => e.GetProperty("status").GetString() == "Recovered");
        downstream.ProcessorCalls.Should().BeGreaterThanOrEqualTo(2, "each dead letter was retried at least once");
        (downstream.Calls - before).Should().Be(6, "the processor's retries are counted apart from the pipeline's attempts");
    }

    [Fact]
    public async Task RecoveryMonitor_HealsTheInventoryBreakerOnceTheProbeAnswers()
    {
        // The hosted monitor looks once an hour here; the test asks it to look now, so nothing depends on timing.
        var monitor = _app.Services.GetRequiredService<RecoveryMonitor>();
        (await monitor.CheckNowAsync()).Should().BeEmpty("the breaker is closed: nothing to heal");

        (await _http.PostAsync(new Uri("/downstream/failing?on=true", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await PlaceOrderAsync();
        await PlaceOrderAsync();
        (await _http.GetStringAsync(new Uri("/health", UriKind.Relative))).Should().Be("Degraded", "six failures opened the inventory breaker");

        var stillDown = (await monitor.CheckNowAsync()).Should().ContainSingle().Subject;
        stillDown.Status.Should().Be(RecoveryTriggerStatus.Started);
        var failed = await stillDown.Run!.Completion;
        failed.State.Should().Be(RecoveryRunState.Failed, "the probe found the service still down");
        failed.Steps.Select(s => s.Status).Should().Equal(RecoveryStepStatus.Failed, RecoveryStepStatus.NotRun);
        (await _http.GetStringAsync(new Uri("/health", UriKind.Relative))).Should().Be("Degraded", "the breaker stays open");

        (await _http.PostAsync(new Uri("/downstream/failing?on=false", UriKind.Relative), null)).EnsureSuccessStatusCode();
        var healed = await (await monitor.CheckNowAsync()).Should().ContainSingle().Subject.Run!.Completion;

        healed.State.Should().Be(RecoveryRunState.Succeeded);
        (await _http.GetStringAsync(new Uri("/health", UriKind.Relative))).Should().Be("Healthy", "the workflow closed the breaker");
        (await PlaceOrderAsync()).GetProperty("status").GetString().Should().Be("placed", "orders go through without waiting out the 30-second break");
        var runs = await _http.GetFromJsonAsync<JsonElement>(new Uri("/recovery", UriKind.Relative));
        runs.EnumerateArray().Select(r => (r.GetProperty("trigger").GetString(), r.GetProperty("state").GetString())).Should().Equal(
            ("Automatic", "Succeeded"), ("Automatic", "Failed"));
    }

    private async Task<JsonElement> PlaceOrderAsync(string query = "")
    {
        using var response = await _http.PostAsync(new Uri("/orders" + query, UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<int> PendingAsync()
    {
        var letters = await _http.GetFromJsonAsync<JsonElement>(new Uri("/dead-letters", UriKind.Relative));
        return letters.GetProperty("statistics").GetProperty("pending").GetInt32();
    }
}
