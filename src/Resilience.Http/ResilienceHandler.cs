using Resilience.Http.Internal;

namespace Resilience.Http;

/// <summary>
/// A delegating handler that sends each request through a <see cref="ResiliencePipeline{TResult}"/> of
/// <see cref="HttpResponseMessage"/>. A request is sent more than once only when it may be replayed (see
/// <see cref="ResilienceHandlerOptions"/>); each replay is a fresh copy of the request as the caller sent it.
/// </summary>
/// <remarks>
/// The body is kept for a replay only when the pipeline has a strategy that may repeat a call (a retry); otherwise it
/// is streamed to the next handler untouched. A request that may not be replayed is never sent twice, whatever the
/// pipeline's rules: a second attempt fails with an <see cref="InvalidOperationException"/> (use
/// <see cref="HttpRetryPredicates.OnlyReplayable"/> in a retry rule to return the first outcome instead).
/// </remarks>
public sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResilienceHandlerOptions _options;

    /// <summary>
    /// Initializes a new instance of the <see cref="ResilienceHandler"/> class with the default replay rules.
    /// </summary>
    /// <param name="pipeline">The pipeline every request goes through.</param>
    public ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline)
        : this(pipeline, new ResilienceHandlerOptions())
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="ResilienceHandler"/> class.
    /// </summary>
    /// <param name="pipeline">The pipeline every request goes through.</param>
    /// <param name="options">What may be sent more than once; copied now.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names it.</exception>
    public ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline, ResilienceHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        _pipeline = pipeline;
        _options = options.Validated();
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Nothing is read or kept unless a strategy may send the request again.
        RequestReplay replay;
        if (_pipeline.MayRepeatCallback)
        {
            replay = await RequestReplay.PrepareAsync(request, _options, cancellationToken).ConfigureAwait(false);

            // Seen by the retry rules the pipeline evaluates in this flow; restored when this method returns.
            CurrentRequest.Value = replay;
        }
        else
        {
            replay = RequestReplay.SendOnce(request);
        }

        var state = new SendState(this, request, replay);
        return await _pipeline.ExecuteAsync(static (s, ct) => s.SendAttemptAsync(ct), state, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendBaseAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private sealed class SendState(ResilienceHandler handler, HttpRequestMessage original, RequestReplay replay)
    {
        private int _attempts;

        public Task<HttpResponseMessage> SendAttemptAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) == 1)
            {
                return handler.SendBaseAsync(original, cancellationToken);
            }

            if (replay.NotReplayableBecause is { } reason)
            {
                throw new InvalidOperationException(
                    $"The {original.Method} request to {original.RequestUri} was sent once and cannot be sent again: {reason}. " +
                    "Wrap the retry rule in HttpRetryPredicates.OnlyReplayable to get the first outcome back instead.");
            }

            return handler.SendBaseAsync(replay.CreateRequest(), cancellationToken);
        }
    }
}
