extern alias migrated;

using MigratedClient = migrated::OrdersApp.OrdersClient;
using PollyClient = OrdersApp.OrdersClient;

namespace Resilience.Samples.PollyMigration.Tests;

/// <summary>
/// The Polly original (on the real Polly.Core) and the migrated client (on Resilience) make the same calls and return
/// the same outcomes against the same flaky loopback server: the fix kept Polly's behaviour where our defaults differ.
/// </summary>
public class BehaviourTests
{
    [Fact]
    public async Task MigratedClient_BehavesLikeThePollyOriginal()
    {
        var original = await RunAsync((http, log) => new PollyClient(http, log).GetOrderAsync);
        var migratedRun = await RunAsync((http, log) => new MigratedClient(http, log).GetOrderAsync);

        migratedRun.Should().BeEquivalentTo(original, o => o.WithStrictOrdering());

        // What Polly's defaults decide, and ours would not: a locked order (InvalidOperationException) is retried, and
        // 12 calls that fail all their attempts (48 failures) do not open a breaker that needs 100 calls.
        original.Outcomes[0].Should().Be("order 1");
        original.Outcomes.Last().Should().Be("order 2");
        original.Log[0].Should().Be("retry 0 after HttpRequestException, waiting 00:00:00");
    }

    private static async Task<Run> RunAsync(Func<HttpClient, Action<string>, Func<int, CancellationToken, ValueTask<string>>> create)
    {
        await using var server = await FlakyOrdersServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var log = new List<string>();
        var getOrder = create(http, log.Add);
        var outcomes = new List<string>();

        async Task CallAsync(int id)
        {
            try
            {
                outcomes.Add(await getOrder(id, CancellationToken.None));
            }
            catch (Exception ex)
            {
                outcomes.Add(ex.GetType().Name);
            }
        }

        server.Script(500, 409);
        await CallAsync(1);
        for (var i = 0; i < 12; i++)
        {
            server.Script(503, 503, 503, 503);
            await CallAsync(3);
        }

        await CallAsync(2);
        return new Run(outcomes, log, server.Requests);
    }

    private sealed record Run(List<string> Outcomes, List<string> Log, int Requests);
}
