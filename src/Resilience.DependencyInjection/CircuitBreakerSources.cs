namespace Resilience.DependencyInjection;

/// <summary>
/// Something that puts breakers into the container's <see cref="CircuitBreaker.CircuitBreakerRegistry"/> when it is
/// built (a pipeline from configuration, an HTTP client's standard handler), registered so the health check can build
/// it before reporting: a breaker is then listed from the start, not only after its first call.
/// </summary>
/// <param name="Materialize">Builds the thing (resolves the pipeline) so its breakers are registered.</param>
internal sealed record CircuitBreakerSource(Action<IServiceProvider> Materialize);

/// <summary>Builds every <see cref="CircuitBreakerSource"/> once, the first time the breakers are listed.</summary>
internal sealed class CircuitBreakerSources
{
    private readonly Lazy<bool> _materialized;

    public CircuitBreakerSources(IEnumerable<CircuitBreakerSource> sources, IServiceProvider services)
        => _materialized = new Lazy<bool>(() =>
        {
            foreach (var source in sources)
            {
                source.Materialize(services);
            }

            return true;
        });

    public void EnsureMaterialized() => _ = _materialized.Value;
}
