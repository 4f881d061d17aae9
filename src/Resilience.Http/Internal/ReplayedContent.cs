using System.Net;

namespace Resilience.Http.Internal;

/// <summary>
/// The caller's in-memory body, sent again by a retry. Disposing a retry's request must not dispose the caller's
/// content (the caller owns it), so the replay wraps it instead of attaching it to a second request.
/// </summary>
internal sealed class ReplayedContent : HttpContent
{
    private readonly HttpContent _inner;

    public ReplayedContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) => _inner.CopyToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        var known = _inner.Headers.ContentLength;
        length = known ?? 0;
        return known is not null;
    }
}
