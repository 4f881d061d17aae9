namespace Resilience.CircuitBreaker;

/// <summary>
/// Circuit-breaker options for a non-generic pipeline, and for a <see cref="SharedCircuitBreaker"/> shared by several pipelines.
/// </summary>
public class CircuitBreakerStrategyOptions : CircuitBreakerStrategyOptions<object>
{
}
