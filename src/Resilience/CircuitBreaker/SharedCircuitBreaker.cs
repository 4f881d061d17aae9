using Resilience.CircuitBreaker.Internal;
using Resilience.Telemetry;

namespace Resilience.CircuitBreaker;

/// <summary>
/// A breaker with one state shared by every pipeline it is added to (<c>builder.AddCircuitBreaker(breaker)</c>):
/// when the orders API fails, every pipeline that calls it sees the circuit open.
/// </summary>
public sealed class SharedCircuitBreaker
{
    /// <summary>
    /// Initializes a new instance of the <see cref="SharedCircuitBreaker"/> class.
    /// </summary>
    /// <param name="name">The breaker's name, used in exceptions, events and telemetry.</param>
    /// <param name="options">The options; validated and copied now.</param>
    /// <param name="timeProvider">The time source; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SharedCircuitBreaker(string name, CircuitBreakerStrategyOptions options, TimeProvider? timeProvider = null)
        : this(name, options, timeProvider, loggerFactory: null, meterFactory: null)
    {
    }

    // The DI registration's: the breaker's own events (transitions) go to the container's logger and meter.
    internal SharedCircuitBreaker(string name, CircuitBreakerStrategyOptions<object> options, TimeProvider? timeProvider, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory, string? pipelineName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        CircuitBreakerOptionsValidator.Validate(options);
        Name = name;
        Options = CircuitBreakerOptionsValidator.Copy(options);
        Controller = new CircuitController(name, Options, timeProvider ?? TimeProvider.System, new ResilienceTelemetry(pipelineName, name, loggerFactory, meterFactory, CircuitBreakerConstants.Events));
        options.ManualControl?.Attach(Controller);
        options.StateProvider?.Attach(Controller);
    }

    /// <summary>Gets the breaker's name.</summary>
    public string Name { get; }

    /// <summary>Gets the breaker's state.</summary>
    public CircuitState State => Controller.State;

    /// <summary>Gets the last failure the breaker recorded, if any.</summary>
    public Exception? LastFailure => Controller.LastFailure;

    /// <summary>Gets how long until an open breaker lets a probe through; <see langword="null"/> when it is not open.</summary>
    public TimeSpan? TimeUntilHalfOpen => Controller.TimeUntilHalfOpen;

    internal CircuitBreakerStrategyOptions<object> Options { get; }

    internal CircuitController Controller { get; }

    /// <summary>Opens the breaker until <see cref="CloseAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A task that completes when the <c>OnOpened</c> callback has run; it faults if the callback fails.</returns>
    public Task IsolateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var raised = Controller.Isolate();
        return raised.IsCompletedSuccessfully ? Task.CompletedTask : raised.AsTask();
    }

    /// <summary>Closes the breaker and clears its counters.</summary>
    /// <param name="cancellationToken">Cancels before anything changes.</param>
    /// <returns>A task that completes when the <c>OnClosed</c> callback has run; it faults if the callback fails.</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var raised = Controller.CloseManually();
        return raised.IsCompletedSuccessfully ? Task.CompletedTask : raised.AsTask();
    }

    /// <summary>Clears the failure counters without changing the state.</summary>
    public void ResetCounters() => Controller.ResetCounters();
}
