namespace Resilience.Http;

/// <summary>
/// What <see cref="ResilienceHandler"/> may send more than once: a request is replayed (retried) only when its method is
/// idempotent, or the caller opted in, and its body is small enough to keep.
/// </summary>
/// <remarks>
/// GET, HEAD, OPTIONS, PUT, DELETE and TRACE are idempotent (RFC 9110, section 9.2.2). Any other method (POST, PATCH,
/// ...) is replayed only with <see cref="RetryUnsafeMethods"/> or when the request carries an <c>Idempotency-Key</c>
/// header. A request that may not be replayed is sent once, its body untouched, and its outcome is final.
/// </remarks>
public sealed class ResilienceHandlerOptions
{
    /// <summary>The default of <see cref="MaxReplayableContentLength"/>: 1 MiB.</summary>
    public const long DefaultMaxReplayableContentLength = 1024 * 1024;

    /// <summary>
    /// Gets or sets a value indicating whether requests with a non-idempotent method (POST, PATCH, ...) may be replayed
    /// too. Set it only when the server deduplicates them; a single request can opt in with an <c>Idempotency-Key</c> header.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RetryUnsafeMethods { get; set; }

    /// <summary>
    /// Gets or sets the largest request body, in bytes, kept in memory so it can be sent again. A larger body, or one
    /// whose length is unknown, is sent once (streamed, not buffered) and the request is not retried. Zero replays only
    /// requests without a body.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxReplayableContentLength"/> (1 MiB).</value>
    public long MaxReplayableContentLength { get; set; } = DefaultMaxReplayableContentLength;

    internal ResilienceHandlerOptions Validated()
    {
        if (MaxReplayableContentLength < 0)
        {
            throw new ArgumentOutOfRangeException(
                "ResilienceHandlerOptions.MaxReplayableContentLength",
                MaxReplayableContentLength,
                "ResilienceHandlerOptions.MaxReplayableContentLength must be zero or more.");
        }

        return new ResilienceHandlerOptions { RetryUnsafeMethods = RetryUnsafeMethods, MaxReplayableContentLength = MaxReplayableContentLength };
    }
}
