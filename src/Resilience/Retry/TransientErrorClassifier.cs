using System.Net;
using System.Net.Sockets;

namespace Resilience.Retry;

/// <summary>
/// The built-in judgement of which failures are worth retrying: timeouts, dropped connections, I/O errors and the
/// HTTP statuses 408, 429, 500, 502, 503 and 504 are transient; bad arguments, invalid states, unsupported
/// operations, authorization failures, the caller's cancellation and other 4xx statuses are permanent.
/// </summary>
public static class TransientErrorClassifier
{
    /// <summary>
    /// Gets a <c>ShouldHandle</c> rule for non-generic pipelines: handles transient exceptions.
    /// </summary>
    public static Func<Outcome<object>, bool> TransientExceptions { get; } = static outcome => outcome.Exception is { } ex && IsTransient(ex);

    /// <summary>
    /// Gets a <c>ShouldHandle</c> rule for <c>ResiliencePipeline&lt;HttpResponseMessage&gt;</c>: handles transient
    /// exceptions and responses with a transient status code.
    /// </summary>
    public static Func<Outcome<HttpResponseMessage>, bool> TransientHttpResponses { get; } = static outcome =>
        outcome.Exception is { } ex ? IsTransient(ex) : outcome.Result is { } response && IsTransient(response);

    /// <summary>
    /// Says whether an exception is transient.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> when retrying may succeed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            // A strategy's rejection says whether it is worth another try (a timeout is; an open circuit is not).
            ExecutionRejectedException rejected => rejected.IsTransient,
            HttpRequestException http => http.StatusCode is null || IsTransient(http.StatusCode.Value),

            // HttpClient reports its own timeout as a cancellation wrapping a TimeoutException.
            OperationCanceledException cancelled => cancelled.InnerException is TimeoutException,
            SocketException or IOException or TimeoutException => true,
            _ => false,
        };
    }

    /// <summary>
    /// Says whether an HTTP status code is transient (408, 429, 500, 502, 503, 504).
    /// </summary>
    /// <param name="statusCode">The status code.</param>
    /// <returns><see langword="true"/> for a transient status.</returns>
    public static bool IsTransient(HttpStatusCode statusCode) => statusCode is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// Says whether a response has a transient status code.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns><see langword="true"/> for a transient status.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static bool IsTransient(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return IsTransient(response.StatusCode);
    }
}
