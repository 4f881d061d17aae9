using Resilience.DependencyInjection.Configuration;
using Resilience.Retry;

namespace Resilience.Http.Internal;

/// <summary>
/// The rules a pipeline from configuration follows once an HTTP client uses it: transient responses (408, 429, 5xx
/// that are transient) are failures like transient exceptions, and a request the handler may not replay is never
/// retried (its first outcome is returned, as with <see cref="HttpRetryPredicates.OnlyReplayable"/>).
/// </summary>
internal static class HttpOutcomeRules
{
    public static ConfiguredOutcomeRules ForConfiguredPipelines { get; } = new(
        Retry: static outcome => CurrentRequest.Value is not { NotReplayableBecause: not null }
            && (TransientErrorClassifier.TransientExceptions(outcome) || IsTransientResponse(outcome)),
        CircuitBreaker: static outcome => outcome.Exception is not null || IsTransientResponse(outcome));

    private static bool IsTransientResponse(Outcome<object> outcome)
        => outcome.Result is HttpResponseMessage response && TransientErrorClassifier.IsTransient(response);
}
