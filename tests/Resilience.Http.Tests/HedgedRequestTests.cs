using System.Collections.Concurrent;
using System.Net;
using Resilience.Hedging;

namespace Resilience.Http.Tests;

/// <summary>
/// Hedged attempts run at the same time: each must get its own request message (a handler below may rewrite the one
/// it is given) with the whole body, and the losers must be cancelled.
/// </summary>
public class HedgedRequestTests
{
    private static readonly Uri Orders = new("http://orders.test/orders/7");

    [Fact]
    public async Task ParallelHedging_EachAttemptGetsItsOwnRequestWithTheWholeBody_TheLoserIsCancelled()
    {
        var server = new StallFirstServer();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddHedging(new HedgingStrategyOptions<HttpResponseMessage> { MaxHedgedAttempts = 1, Delay = TimeSpan.Zero })
            .Build();
        using var client = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = server });

        using var response = await client.PutAsync(Orders, new StringContent("{\"qty\":3}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("attempt 2", "the first attempt stalls until it is cancelled");
        await server.FirstCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        server.Requests.Should().HaveCount(2).And.OnlyHaveUniqueItems("concurrent attempts never share a request message");
        server.Bodies.Should().HaveCount(2).And.OnlyContain(b => b == "{\"qty\":3}");
    }

    private sealed class StallFirstServer : HttpMessageHandler
    {
        private int _calls;

        public ConcurrentBag<HttpRequestMessage> Requests { get; } = [];

        public ConcurrentBag<string> Bodies { get; } = [];

        public TaskCompletionSource FirstCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            Requests.Add(request);
            Bodies.Add(await request.Content!.ReadAsStringAsync(cancellationToken));

            // A redirect handler would rewrite the message it was given; a shared one would be seen by the others.
            request.RequestUri = new Uri(request.RequestUri!, "/rewritten-by-attempt-" + call);
            if (call == 1)
            {
                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    FirstCancelled.TrySetResult();
                    throw;
                }
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("attempt " + call), RequestMessage = request };
        }
    }
}
