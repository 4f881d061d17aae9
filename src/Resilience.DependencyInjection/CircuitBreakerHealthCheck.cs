using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resilience.CircuitBreaker;

namespace Resilience.DependencyInjection;

/// <summary>
/// Reports <see cref="HealthStatus.Degraded"/> while any breaker of the registry is open, half-open or isolated, with
/// every breaker's name and state in the data.
/// </summary>
/// <remarks>
/// A breaker whose break has elapsed but that no call has probed yet (an idle dependency) is still open until the next
/// call; it is reported as <c>HalfOpenPending</c> and does not degrade health: the next call is let through.
/// </remarks>
public sealed class CircuitBreakerHealthCheck : IHealthCheck
{
    /// <summary>The state reported for an open breaker whose break has elapsed, waiting for its next call to probe.</summary>
    public const string HalfOpenPending = "HalfOpenPending";

    private readonly CircuitBreakerRegistry _registry;
    private readonly CircuitBreakerSources? _sources;

    /// <summary>
    /// Initializes a new instance of the <see cref="CircuitBreakerHealthCheck"/> class.
    /// </summary>
    /// <param name="registry">The breakers to watch.</param>
    public CircuitBreakerHealthCheck(CircuitBreakerRegistry registry) => _registry = registry;

    internal CircuitBreakerHealthCheck(CircuitBreakerRegistry registry, CircuitBreakerSources sources)
    {
        _registry = registry;
        _sources = sources;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        _sources?.EnsureMaterialized();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var broken = new List<string>();
        var pending = new List<string>();
        foreach (var breaker in _registry.Breakers)
        {
            var state = breaker.State;
            if (state == CircuitState.Open && breaker.TimeUntilHalfOpen <= TimeSpan.Zero)
            {
                data[breaker.Name] = HalfOpenPending;
                pending.Add(breaker.Name);
                continue;
            }

            data[breaker.Name] = state.ToString();
            if (state != CircuitState.Closed)
            {
                broken.Add(breaker.Name);
            }
        }

        var note = pending.Count == 0 ? string.Empty : $" Break elapsed, the next call probes: {string.Join(", ", pending)}.";
        return Task.FromResult(broken.Count == 0
            ? HealthCheckResult.Healthy($"{data.Count - pending.Count} circuit breaker(s) closed.{note}", data)
            : HealthCheckResult.Degraded($"Circuit breaker(s) not closed: {string.Join(", ", broken)}.{note}", data: data));
    }
}
