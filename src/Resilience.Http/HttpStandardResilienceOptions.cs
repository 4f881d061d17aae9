using Resilience.CircuitBreaker;
using Resilience.Retry;

namespace Resilience.Http;

/// <summary>
/// The standard HTTP pipeline, outermost first: a total timeout, a retry of transient failures and statuses (408, 429,
/// 5xx that are transient) honouring <c>Retry-After</c>, a circuit breaker, and a timeout per attempt. Only requests
/// the handler may replay are retried (see <see cref="Handler"/>): idempotent methods, bodies up to 1 MiB.
/// </summary>
public sealed class HttpStandardResilienceOptions
{
    /// <summary>Gets or sets the budget of the whole call, retries included.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the retry options (their <c>ShouldHandle</c> defaults to transient exceptions and responses). Whatever rule
    /// is set, it is wrapped in <see cref="HttpRetryPredicates.OnlyReplayable"/>: a request that may not be replayed is not retried.
    /// </summary>
    public RetryStrategyOptions<HttpResponseMessage> Retry { get; } = new()
    {
        MaxRetryAttempts = 3,
        BackoffType = BackoffType.Exponential,
        BaseDelay = TimeSpan.FromSeconds(2),
        MaxDelay = TimeSpan.FromSeconds(30),
        Jitter = JitterMode.Full,
        ShouldHandle = TransientErrorClassifier.TransientHttpResponses,
    };

    /// <summary>Gets the circuit breaker options (failures: transient exceptions and responses).</summary>
    public CircuitBreakerStrategyOptions<HttpResponseMessage> CircuitBreaker { get; } = new()
    {
        FailureRatio = 0.1,
        MinimumThroughput = 100,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(5),
        ShouldHandle = TransientErrorClassifier.TransientHttpResponses,
    };

    /// <summary>Gets what the handler may send more than once (idempotent methods, bodies up to 1 MiB by default).</summary>
    public ResilienceHandlerOptions Handler { get; } = new();

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
