using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

// Not under the Resilience namespace: there, before the migration, Resilience's own ResiliencePipelineBuilder would win over
// Polly's (names of enclosing namespaces come before using directives).
namespace OrdersApp;

/// <summary>
/// Reads orders from a flaky API with a retry around a circuit breaker, as a Polly v8 application writes it: Polly's
/// defaults (every exception handled, the breaker's 10 % over 100 calls) and its zero-based attempt numbers.
/// </summary>
public sealed class OrdersClient
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<string> _pipeline;

    /// <summary>Initializes a new instance of the <see cref="OrdersClient"/> class.</summary>
    /// <param name="http">A client whose base address is the orders API.</param>
    /// <param name="log">Receives one line per retry.</param>
    public OrdersClient(HttpClient http, Action<string> log)
    {
        _http = http;
        _pipeline = new ResiliencePipelineBuilder<string>()
            .AddRetry(new RetryStrategyOptions<string>
            {
                MaxRetryAttempts = 3,
                Delay = TimeSpan.Zero,
                OnRetry = args =>
                {
                    log($"retry {args.AttemptNumber} after {args.Outcome.Exception?.GetType().Name}, waiting {args.RetryDelay}");
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<string>
            {
                BreakDuration = TimeSpan.FromSeconds(30),
            })
            .Build();
    }

    /// <summary>Reads one order.</summary>
    /// <param name="id">The order's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order's text.</returns>
    public ValueTask<string> GetOrderAsync(int id, CancellationToken cancellationToken) => _pipeline.ExecuteAsync(
        async token =>
        {
            using var response = await _http.GetAsync(new Uri($"orders/{id}", UriKind.Relative), token);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                // A locked order: not a transient error by Resilience's own default, but Polly retries it.
                throw new InvalidOperationException($"order {id} is locked");
            }

            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync(token);
        },
        cancellationToken);
}
