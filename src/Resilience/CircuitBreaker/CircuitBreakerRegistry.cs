using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience.CircuitBreaker;

/// <summary>
/// Named, shared breakers: one per dependency, whatever number of pipelines use it, and a list for dashboards and
/// health checks. Thread-safe.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, SharedCircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMeterFactory? _meterFactory;

    /// <summary>
    /// Initializes a new instance of the <see cref="CircuitBreakerRegistry"/> class.
    /// </summary>
    /// <param name="timeProvider">The time source of the breakers it creates.</param>
    public CircuitBreakerRegistry(TimeProvider? timeProvider = null)
        : this(timeProvider, loggerFactory: null, meterFactory: null)
    {
    }

    // The DI registration's: the breakers it creates report their own events to the container's logger and meter.
    internal CircuitBreakerRegistry(TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory;
        _meterFactory = meterFactory;
    }

    /// <summary>Gets every breaker, by name.</summary>
    public IReadOnlyCollection<SharedCircuitBreaker> Breakers => [.. _breakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Gets the breaker with this name, creating it from <paramref name="options"/> the first time.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="options">The options used if the breaker does not exist yet.</param>
    /// <returns>The breaker.</returns>
    public SharedCircuitBreaker GetOrAdd(string name, CircuitBreakerStrategyOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        return _breakers.GetOrAdd(name, static (key, state) => new SharedCircuitBreaker(key, state.Options, state.Registry._timeProvider, state.Registry._loggerFactory, state.Registry._meterFactory), (Options: options, Registry: this));
    }

    /// <summary>
    /// Adds a breaker, or replaces the one with the same name (for example when configuration rebuilt it).
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    public void Set(SharedCircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        _breakers[breaker.Name] = breaker;
    }

    /// <summary>
    /// Removes the breaker with this name, so a registry keyed by something unbounded (tenants, hosts) does not grow for
    /// good. Pipelines that already use the breaker keep it; the next <see cref="GetOrAdd"/> creates a new one.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="removed">The breaker removed, when found.</param>
    /// <returns><see langword="true"/> when a breaker had that name.</returns>
    public bool TryRemove(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SharedCircuitBreaker? removed)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryRemove(name, out removed);
    }

    /// <summary>
    /// Removes this breaker if it is still the one registered under its name (a replacement set since is kept).
    /// </summary>
    /// <param name="breaker">The breaker.</param>
    /// <returns><see langword="true"/> when it was registered and is now removed.</returns>
    public bool Remove(SharedCircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return _breakers.TryRemove(KeyValuePair.Create(breaker.Name, breaker));
    }

    /// <summary>
    /// Gets a breaker by name.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="breaker">The breaker, when found.</param>
    /// <returns><see langword="true"/> when a breaker has that name.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SharedCircuitBreaker? breaker) => _breakers.TryGetValue(name, out breaker);
}
