using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Http.Tests.TestUtils;

namespace Resilience.Http.Tests;

public class HandlerIsolationTests
{
    [Fact]
    public async Task TwoHandlersOnOneClient_EachRunsItsOwnPipelineOncePerRequest()
    {
        var server = new ScriptedServer(HttpStatusCode.OK);
        var outer = new CountingStrategy();
        var inner = new CountingStrategy();
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddResilienceHandler(p => p.AddStrategy(_ => outer))
            .AddResilienceHandler(p => p.AddStrategy(_ => inner))
            .ConfigurePrimaryHttpMessageHandler(() => server);
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        (await client.GetAsync(new Uri("http://orders.test/a"))).Dispose();

        outer.Calls.Should().Be(1);
        inner.Calls.Should().Be(1);
        server.Calls.Should().Be(1);
    }

    private sealed class CountingStrategy : ResilienceStrategy
    {
        private int _calls;

        public int Calls => _calls;

        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            Interlocked.Increment(ref _calls);
            return callback(context, state);
        }
    }
}
