using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Resilience.CircuitBreaker;

namespace Resilience.Http.Tests;

public class ResilienceHandlerTests
{
    [Fact]
    public async Task StandardHandler_TransientStatuses_IdempotentRequestRetriedWithTheSameBody()
    {
        var server = new StubServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.OK);
        using var client = CreateClient(server, o => o.Retry.BaseDelay = TimeSpan.Zero);

        using var response = await client.PutAsync(new Uri("http://orders.test/orders/7"), new StringContent("{\"id\":7}", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Bodies.Should().Equal("{\"id\":7}", "{\"id\":7}", "{\"id\":7}");
        server.ContentTypes.Should().OnlyContain(t => t == "application/json; charset=utf-8");
    }

    [Fact]
    public async Task StandardHandler_PermanentStatus_ReturnedWithoutRetry()
    {
        var server = new StubServer(HttpStatusCode.NotFound, HttpStatusCode.OK);
        using var client = CreateClient(server, o => o.Retry.BaseDelay = TimeSpan.Zero);

        using var response = await client.GetAsync(new Uri("http://orders.test/orders/1"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        server.Bodies.Should().HaveCount(1);
    }

    [Fact]
    public async Task StandardHandler_RetriesExhausted_LastResponseReturned()
    {
        var server = new StubServer(Enumerable.Repeat(HttpStatusCode.BadGateway, 10).ToArray());
        using var client = CreateClient(server, o =>
        {
            o.Retry.BaseDelay = TimeSpan.Zero;
            o.Retry.MaxRetryAttempts = 2;
        });

        using var response = await client.GetAsync(new Uri("http://orders.test/orders"));

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        server.Bodies.Should().HaveCount(3);
    }

    [Fact]
    public async Task CustomHandler_BreakerOpens_RequestsRejectedWithoutCallingTheServer()
    {
        var server = new StubServer(Enumerable.Repeat(HttpStatusCode.InternalServerError, 10).ToArray());
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddResilienceHandler(pipeline => pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ConsecutiveFailureThreshold = 2,
                ShouldHandle = Retry.TransientErrorClassifier.TransientHttpResponses,
            }))
            .ConfigurePrimaryHttpMessageHandler(() => server);
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        (await client.GetAsync(new Uri("http://orders.test/a"))).Dispose();
        (await client.GetAsync(new Uri("http://orders.test/a"))).Dispose();
        var act = async () => await client.GetAsync(new Uri("http://orders.test/a"));

        await act.Should().ThrowAsync<BrokenCircuitException>();
        server.Bodies.Should().HaveCount(2);
    }

    private static HttpClient CreateClient(StubServer server, Action<HttpStandardResilienceOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddStandardResilienceHandler(configure).ConfigurePrimaryHttpMessageHandler(() => server);
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("orders");
    }

    private sealed class StubServer(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public List<string> Bodies { get; } = [];

        public List<string?> ContentTypes { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            ContentTypes.Add(request.Content?.Headers.ContentType?.ToString());
            return new HttpResponseMessage(statuses[Math.Min(_calls++, statuses.Length - 1)]);
        }
    }
}
