using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.CircuitBreaker;

namespace Resilience.DependencyInjection;

/// <summary>
/// Reports <see cref="HealthStatus.Degraded"/> while any breaker of the registry is open, half-open or isolated, with
/// every breaker's name and state in the data.
/// </summary>
public sealed class CircuitBreakerHealthCheck : IHealthCheck
{
    private readonly CircuitBreakerRegistry _registry;

    /// <summary>
    /// Initializes a new instance of the <see cref="CircuitBreakerHealthCheck"/> class.
    /// </summary>
    /// <param name="registry">The breakers to watch.</param>
    public CircuitBreakerHealthCheck(CircuitBreakerRegistry registry) => _registry = registry;

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var breaker in _registry.Breakers)
        {
            var state = breaker.State;
            data[breaker.Name] = state.ToString();
            if (state != CircuitState.Closed)
            {
                broken.Add(breaker.Name);
            }
        }

        return Task.FromResult(broken.Count == 0
            ? HealthCheckResult.Healthy($"{data.Count} circuit breaker(s) closed.", data)
            : HealthCheckResult.Degraded($"Circuit breaker(s) not closed: {string.Join(", ", broken)}.", data: data));
    }
}
