namespace Resilience.Http;

/// <summary>
/// A delegating handler that sends each request through a <see cref="ResiliencePipeline{TResult}"/> of
/// <see cref="HttpResponseMessage"/>. A request with content is cloned for every retry after the first attempt, since a
/// request message cannot be sent twice.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>
    /// Initializes a new instance of the <see cref="ResilienceHandler"/> class.
    /// </summary>
    /// <param name="pipeline">The pipeline every request goes through.</param>
    public ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The content is buffered once so every attempt can send an identical copy.
        var content = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var state = new SendState(this, request, content);
        return await _pipeline.ExecuteAsync(static (s, ct) => s.SendAttemptAsync(ct), state, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendBaseAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private sealed class SendState(ResilienceHandler handler, HttpRequestMessage original, byte[]? content)
    {
        private int _attempts;

        public async ValueTask<HttpResponseMessage> SendAttemptAsync(CancellationToken cancellationToken)
        {
            var request = Interlocked.Increment(ref _attempts) == 1 ? Rewind(original) : Clone();
            return await handler.SendBaseAsync(request, cancellationToken).ConfigureAwait(false);
        }

        private HttpRequestMessage Rewind(HttpRequestMessage request)
        {
            if (content is not null)
            {
                var replacement = new ByteArrayContent(content);
                CopyHeaders(request.Content!, replacement);
                request.Content = replacement;
            }

            return request;
        }

        private HttpRequestMessage Clone()
        {
            var clone = new HttpRequestMessage(original.Method, original.RequestUri)
            {
                Version = original.Version,
                VersionPolicy = original.VersionPolicy,
            };
            foreach (var header in original.Headers)
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            foreach (var option in original.Options)
            {
                ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
            }

            if (content is not null)
            {
                clone.Content = new ByteArrayContent(content);
                CopyHeaders(original.Content!, clone.Content);
            }

            return clone;
        }

        private static void CopyHeaders(HttpContent from, HttpContent to)
        {
            foreach (var header in from.Headers)
            {
                to.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }
}
