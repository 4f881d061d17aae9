using Resilience.CircuitBreaker.Internal;

namespace Resilience.CircuitBreaker;

/// <summary>
/// Reads the state of one breaker (attach it through <see cref="CircuitBreakerStrategyOptions{TResult}.StateProvider"/>).
/// </summary>
public sealed class CircuitBreakerStateProvider
{
    private CircuitController? _controller;

    /// <summary>Gets the breaker's state (<see cref="CircuitState.Closed"/> until the pipeline is built).</summary>
    public CircuitState State => _controller?.State ?? CircuitState.Closed;

    /// <summary>Gets the last failure the breaker recorded, if any.</summary>
    public Exception? LastFailure => _controller?.LastFailure;

    /// <summary>Gets when the breaker last opened, if ever.</summary>
    public DateTimeOffset? LastOpenedAt => _controller?.LastOpenedAt;

    /// <summary>Gets how long until an open breaker lets a probe through; <see langword="null"/> when it is not open.</summary>
    public TimeSpan? TimeUntilHalfOpen => _controller?.TimeUntilHalfOpen;

    /// <summary>Gets the state's sequence number; every transition increments it.</summary>
    public long Generation => _controller?.Generation ?? 0;

    internal void Attach(CircuitController controller)
    {
        if (Interlocked.CompareExchange(ref _controller, controller, null) is not null)
        {
            throw new InvalidOperationException("This CircuitBreakerStateProvider is already attached to a breaker; use one provider per breaker, or a SharedCircuitBreaker.");
        }
    }
}
