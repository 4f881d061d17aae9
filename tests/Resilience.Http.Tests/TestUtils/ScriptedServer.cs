using System.Net;

namespace Resilience.Http.Tests.TestUtils;

/// <summary>
/// A fake primary handler: answers with the scripted statuses in order and records what each request carried.
/// </summary>
internal sealed class ScriptedServer(params HttpStatusCode[] statuses) : HttpMessageHandler
{
    private int _calls;

    public List<string> Requests { get; } = [];

    public List<string> Bodies { get; } = [];

    public List<HttpContent?> Contents { get; } = [];

    public int Calls => _calls;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Contents.Add(request.Content);
        Requests.Add($"{request.Method} {request.RequestUri}");
        Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
        return new HttpResponseMessage(statuses[Math.Min(_calls++, statuses.Length - 1)]) { RequestMessage = request };
    }
}
