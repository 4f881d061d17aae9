using Resilience.Http.Internal;
using Resilience.Retry;

namespace Resilience.Http;

/// <summary>
/// Retry rules for pipelines of <see cref="HttpResponseMessage"/> run by <see cref="ResilienceHandler"/>.
/// </summary>
public static class HttpRetryPredicates
{
    /// <summary>
    /// Gets the standard handler's rule: transient exceptions and statuses (see
    /// <see cref="TransientErrorClassifier.TransientHttpResponses"/>), only for requests the handler may replay.
    /// </summary>
    public static Func<Outcome<HttpResponseMessage>, bool> TransientAndReplayable { get; } = OnlyReplayable(TransientErrorClassifier.TransientHttpResponses);

    /// <summary>
    /// Wraps a retry rule so it never asks to retry a request the handler may not replay (a non-idempotent method
    /// without opt-in, or a body over the cap): such a request's first outcome is then returned as it is.
    /// </summary>
    /// <param name="shouldHandle">The rule for replayable requests.</param>
    /// <returns>The wrapped rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shouldHandle"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Without it, the handler still never sends such a request twice: a second attempt fails with an
    /// <see cref="InvalidOperationException"/> instead, and the first outcome is lost.
    /// </remarks>
    public static Func<Outcome<HttpResponseMessage>, bool> OnlyReplayable(Func<Outcome<HttpResponseMessage>, bool> shouldHandle)
    {
        ArgumentNullException.ThrowIfNull(shouldHandle);
        return outcome => CurrentRequest.Value is not { NotReplayableBecause: not null } && shouldHandle(outcome);
    }
}
