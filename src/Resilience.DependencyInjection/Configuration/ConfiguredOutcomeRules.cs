namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// What the retry and the breaker of pipelines from configuration count as failures, when a package registers rules
/// of its own (the HTTP handler: transient responses, and no retry of a request it may not replay). Without one, the
/// strategies' defaults apply (transient exceptions; any exception).
/// </summary>
/// <param name="Retry">The retry's rule.</param>
/// <param name="CircuitBreaker">The breaker's rule.</param>
internal sealed record ConfiguredOutcomeRules(Func<Outcome<object>, bool> Retry, Func<Outcome<object>, bool> CircuitBreaker);
