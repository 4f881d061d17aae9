using System.Net.Http.Json;

namespace Resilience.Http.Internal;

/// <summary>
/// Whether a request may be sent more than once and, if so, a snapshot of it taken before the first attempt: a
/// redirect handler below rewrites the request it is given (URI; for 302/303 also method and content), so a retry must
/// start again from what the caller sent, not from what the last attempt ended as.
/// </summary>
internal sealed class RequestReplay
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly HttpMethod _method;
    private readonly Uri? _uri;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private readonly KeyValuePair<string, string[]>[] _headers;
    private readonly KeyValuePair<string, object?>[] _options;
    private readonly HttpContent? _content;

    private RequestReplay(HttpRequestMessage request, HttpContent? content)
    {
        _method = request.Method;
        _uri = request.RequestUri;
        _version = request.Version;
        _versionPolicy = request.VersionPolicy;
        _headers = [.. request.Headers.Select(static h => KeyValuePair.Create(h.Key, h.Value.ToArray()))];
        _options = [.. request.Options];
        _content = content;
    }

    /// <summary>Gets why the request is sent once only; <see langword="null"/> when it can be replayed.</summary>
    public string? NotReplayableBecause { get; private init; }

    /// <summary>A request the pipeline will not repeat: sent as it is, its body neither read nor kept.</summary>
    public static RequestReplay SendOnce(HttpRequestMessage request) => new(request, null) { NotReplayableBecause = "the pipeline has no strategy that repeats a call" };

    /// <summary>
    /// Decides whether <paramref name="request"/> may be replayed and keeps what a replay needs. A body is kept only when
    /// its length is known and within the cap; one already in memory (byte array, string, form, memory) is reused as it is,
    /// any other is buffered once (<see cref="HttpContent.LoadIntoBufferAsync(long, CancellationToken)"/>).
    /// </summary>
    public static async ValueTask<RequestReplay> PrepareAsync(HttpRequestMessage request, ResilienceHandlerOptions options, CancellationToken cancellationToken)
    {
        if (!IsIdempotent(request.Method) && !options.RetryUnsafeMethods && !request.Headers.Contains(IdempotencyKeyHeader))
        {
            return new RequestReplay(request, null)
            {
                NotReplayableBecause = $"{request.Method} is not idempotent (set ResilienceHandlerOptions.RetryUnsafeMethods, or send an {IdempotencyKeyHeader} header, if the server deduplicates it)",
            };
        }

        var content = request.Content;
        if (content is null)
        {
            return new RequestReplay(request, null);
        }

        var cap = options.MaxReplayableContentLength;
        var length = content.Headers.ContentLength;
        if (length is null && content is JsonContent)
        {
            // A JSON body is serialized from its object on every read, so buffering it up to the cap is safe even if it
            // turns out larger: the one attempt it then gets serializes it again.
            try
            {
                await content.LoadIntoBufferAsync(cap, cancellationToken).ConfigureAwait(false);
                return new RequestReplay(request, content);
            }
            catch (HttpRequestException)
            {
                return new RequestReplay(request, null) { NotReplayableBecause = $"its body is larger than ResilienceHandlerOptions.MaxReplayableContentLength ({cap} bytes)" };
            }
        }

        if (length is null)
        {
            return new RequestReplay(request, null) { NotReplayableBecause = "its body has no known length, so it cannot be kept for a replay within ResilienceHandlerOptions.MaxReplayableContentLength" };
        }

        if (length > cap)
        {
            return new RequestReplay(request, null) { NotReplayableBecause = $"its body ({length} bytes) is larger than ResilienceHandlerOptions.MaxReplayableContentLength ({cap} bytes)" };
        }

        if (content is not (ByteArrayContent or ReadOnlyMemoryContent))
        {
            await content.LoadIntoBufferAsync(cap, cancellationToken).ConfigureAwait(false);
        }

        return new RequestReplay(request, content);
    }

    /// <summary>A fresh request equal to the one the caller sent (method, URI, version, headers, options, content).</summary>
    public HttpRequestMessage CreateRequest()
    {
        var clone = new HttpRequestMessage(_method, _uri) { Version = _version, VersionPolicy = _versionPolicy };
        foreach (var (name, values) in _headers)
        {
            clone.Headers.TryAddWithoutValidation(name, values);
        }

        var target = (IDictionary<string, object?>)clone.Options;
        foreach (var (key, value) in _options)
        {
            target[key] = value;
        }

        // The content is in memory and can be read again; it is shared, not copied, and its headers come with it.
        clone.Content = _content is null ? null : new ReplayedContent(_content);
        return clone;
    }

    // RFC 9110, section 9.2.2: methods whose intended effect is the same however many times they are sent.
    private static bool IsIdempotent(HttpMethod method)
        => method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
           || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Trace;
}
