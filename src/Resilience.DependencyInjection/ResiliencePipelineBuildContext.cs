namespace Resilience.DependencyInjection;

/// <summary>
/// What a pipeline's configure callback receives besides the builder: its name and the container.
/// </summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="Services">The container, to resolve shared breakers, bulkheads, budgets or options.</param>
public sealed record ResiliencePipelineBuildContext(string Name, IServiceProvider Services);
