using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Http.Tests.TestUtils;

namespace Resilience.Http.Tests;

public class RequestReplayTests
{
    private static readonly Uri Orders = new("http://orders.test/orders");

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("TRACE")]
    public async Task StandardHandler_IdempotentMethod_RetriedAfterTransientStatus(string method)
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), Orders));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Calls.Should().Be(2);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task StandardHandler_UnsafeMethod_SentOnceAndItsResponseReturned(string method)
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), Orders) { Content = new StringContent("{\"id\":7}") });

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        server.Calls.Should().Be(1);
    }

    [Fact]
    public async Task StandardHandler_PostWithIdempotencyKey_RetriedWithTheSameBody()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server);
        var request = new HttpRequestMessage(HttpMethod.Post, Orders) { Content = new StringContent("{\"id\":7}") };
        request.Headers.Add("Idempotency-Key", "order-7");

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Bodies.Should().Equal("{\"id\":7}", "{\"id\":7}");
    }

    [Fact]
    public async Task StandardHandler_PostWithOptIn_Retried()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server, o => o.Handler.RetryUnsafeMethods = true);

        using var response = await client.PostAsync(Orders, new StringContent("{\"id\":7}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Calls.Should().Be(2);
    }

    [Fact]
    public async Task StandardHandler_BodyLargerThanTheCap_SentOnceNotBufferedNotRetried()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server, o => o.Handler.MaxReplayableContentLength = 4);
        var content = new OneShotContent("0123456789", knownLength: true);

        using var response = await client.PutAsync(Orders, content);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        server.Calls.Should().Be(1);
        server.Contents.Should().ContainSingle().Which.Should().BeSameAs(content);
        content.Serializations.Should().Be(1);
    }

    [Fact]
    public async Task StandardHandler_BodyOfUnknownLength_SentOnceNotRetried()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server);
        var content = new OneShotContent("0123456789", knownLength: false);

        using var response = await client.PutAsync(Orders, content);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        content.Serializations.Should().Be(1);
    }

    [Fact]
    public async Task StandardHandler_StreamedBodyWithinTheCap_BufferedOnceAndReplayed()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = StandardClient(server);
        var content = new OneShotContent("0123456789", knownLength: true);

        using var response = await client.PutAsync(Orders, content);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Bodies.Should().Equal("0123456789", "0123456789");
        content.Serializations.Should().Be(1);
    }

    [Fact]
    public async Task PipelineWithoutRetry_BodyPassedThroughUnbuffered()
    {
        var server = new ScriptedServer(HttpStatusCode.OK);
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddResilienceHandler(p => p.AddTimeout(TimeSpan.FromSeconds(5)))
            .ConfigurePrimaryHttpMessageHandler(() => server);
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var content = new OneShotContent("0123456789", knownLength: false);

        using var response = await client.PutAsync(Orders, content);

        server.Contents.Should().ContainSingle().Which.Should().BeSameAs(content);
        content.Serializations.Should().Be(1);
    }

    [Fact]
    public async Task CustomRetry_UnsafeMethod_NeverSentTwice()
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddResilienceHandler(p => p.AddRetry(new Retry.RetryStrategyOptions<HttpResponseMessage>
            {
                BaseDelay = TimeSpan.Zero,
                ShouldHandle = Retry.TransientErrorClassifier.TransientHttpResponses,
            }))
            .ConfigurePrimaryHttpMessageHandler(() => server);
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var act = async () => await client.PostAsync(Orders, new StringContent("{\"id\":7}"));

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*POST*cannot be sent again*");
        server.Calls.Should().Be(1);
    }

    [Theory]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.SeeOther)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    public async Task StandardHandler_RetryAfterARedirect_StartsAgainFromTheOriginalRequest(HttpStatusCode redirect)
    {
        var server = new ScriptedServer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var redirecting = new RedirectingHandler(redirect, new Uri("http://mirror.test/orders")) { InnerHandler = server };
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddStandardResilienceHandler(o => o.Retry.BaseDelay = TimeSpan.Zero)
            .ConfigurePrimaryHttpMessageHandler(() => redirecting);
        using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var request = new HttpRequestMessage(HttpMethod.Put, Orders) { Content = new StringContent("{\"id\":7}") };
        request.Headers.Add("X-Trace", "t-1");

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        redirecting.Seen.Should().Equal(
            "PUT http://orders.test/orders {\"id\":7} t-1",
            "PUT http://orders.test/orders {\"id\":7} t-1");
        var followed = redirect is HttpStatusCode.Found or HttpStatusCode.SeeOther ? "GET http://mirror.test/orders" : "PUT http://mirror.test/orders";
        server.Requests.Should().Equal(followed, followed);
    }

    [Fact]
    public void Options_NegativeCap_RejectedNamingTheOption()
    {
        var services = new ServiceCollection();

        var act = () => services.AddHttpClient("orders").AddStandardResilienceHandler(o => o.Handler.MaxReplayableContentLength = -1);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ResilienceHandlerOptions.MaxReplayableContentLength");
    }

    private static HttpClient StandardClient(ScriptedServer server, Action<HttpStandardResilienceOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("orders")
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.BaseDelay = TimeSpan.Zero;
                configure?.Invoke(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => server);
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("orders");
    }

    /// <summary>
    /// Follows one redirect the way SocketsHttpHandler's redirect handler does: it rewrites the request it was given
    /// (the URI; for 302/303 the method becomes GET and the content is dropped) and sends it again.
    /// </summary>
    private sealed class RedirectingHandler(HttpStatusCode status, Uri location) : DelegatingHandler
    {
        public List<string> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Add($"{request.Method} {request.RequestUri} {body} {string.Join(",", request.Headers.GetValues("X-Trace"))}");
            request.RequestUri = location;
            if (status is HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
