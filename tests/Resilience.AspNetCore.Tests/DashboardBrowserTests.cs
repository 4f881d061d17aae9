using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Resilience.Samples.AspNetCore;
using Xunit.Abstractions;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// The dashboard in a real browser: the ASP.NET Core sample on Kestrel (127.0.0.1, a free port), its inventory service
/// failing, Debian's Chromium driven by Playwright. Every wait is one of Playwright's auto-retrying expectations on
/// the page's state (the page polls its JSON endpoints every 2 s), bounded by its timeout.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string OperatorKey = "browser-test-key";
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 8_000 };

    [ChromiumFact]
    public async Task Dashboard_ShowsOpenBreakerAndBacklog_ReplayButtonDrainsTheGroup()
    {
        File.Exists(ChromiumFactAttribute.ExecutablePath).Should().BeTrue(
            $"the browser test needs Debian's Chromium at {ChromiumFactAttribute.ExecutablePath}: run eng/chromium.sh (apt-get install -y chromium); .ci/run does");

        var deadLetters = Path.Combine(Path.GetTempPath(), "resilience-dashboard-tests", Guid.NewGuid().ToString("N"));
        var app = OrdersApp.Build([
            "--urls=http://127.0.0.1:0",
            $"--Resilience:DeadLetter:Directory={deadLetters}",
            // The processor's own retries wait an hour: only the dashboard's replay can drain the backlog here.
            "--Resilience:DeadLetter:RetryBaseDelay=01:00:00",
            $"--Resilience:Admin:OperatorKey={OperatorKey}",
        ]);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            await FailTwoOrdersAsync(app, address);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.ExecutablePath,
                Headless = true,
                // Root in CI's container: Chromium's sandbox needs user namespaces it may not have.
                Args = ["--no-sandbox"],
            });
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ExtraHTTPHeaders = new Dictionary<string, string> { [OperatorKeyAuthenticationHandler.HeaderName] = OperatorKey },
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            });
            var page = await context.NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    consoleErrors.Add(message.Text);
                }
            };

            await page.GotoAsync(address + "/resilience/");

            var openBreaker = page.Locator("#breakers .state[data-state=\"Open\"]");
            await Assertions.Expect(openBreaker).ToHaveCountAsync(1, new() { Timeout = 8_000 });
            await Assertions.Expect(page.Locator("#breakers tbody tr").First).ToContainTextAsync(" s", new() { Timeout = 8_000 });
            await Assertions.Expect(page.Locator("#backlog-total")).ToHaveTextAsync("2", Soon);
            var group = page.Locator("#dead-letter-groups tbody tr[data-group]");
            await Assertions.Expect(group).ToHaveCountAsync(1);
            await Assertions.Expect(group.First).ToContainTextAsync("HttpRequestException");
            await Assertions.Expect(page.Locator("#recovery tbody")).ToContainTextAsync("inventory");
            await SaveScreenshotAsync(page, "dashboard-backlog.png");

            // The service heals; the operator replays the group: the dialog shows the dry run's count first.
            app.Services.GetRequiredService<Downstream>().Failing = false;
            await group.First.Locator("button[data-action=\"replay\"]").ClickAsync();
            await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("Replay 2 dead letter(s)");
            await page.Locator("#confirm-ok").ClickAsync();

            await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("replay: 2 dead letter(s)", Soon);
            await Assertions.Expect(page.Locator("#backlog-total")).ToHaveTextAsync("0", Soon);
            await Assertions.Expect(page.Locator("#dead-letter-groups tbody")).ToContainTextAsync("No dead letter backlog.");
            await SaveScreenshotAsync(page, "dashboard-replayed.png");
            consoleErrors.Should().BeEmpty("the page runs under its Content-Security-Policy without violations or script errors");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (Directory.Exists(deadLetters))
            {
                Directory.Delete(deadLetters, recursive: true);
            }
        }
    }

    private static async Task FailTwoOrdersAsync(WebApplication app, string address)
    {
        // Two orders of three attempts each against the failing service: six failures open the inventory breaker,
        // and each order's reservation is dead-lettered.
        app.Services.GetRequiredService<Downstream>().Failing = true;
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.PostAsync(new Uri("/orders", UriKind.Relative), null);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
