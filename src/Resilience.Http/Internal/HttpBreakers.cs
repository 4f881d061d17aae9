using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Resilience.CircuitBreaker;
using Resilience.CircuitBreaker.Internal;

namespace Resilience.Http.Internal;

/// <summary>
/// Turns the standard handler's breaker options (typed by <see cref="HttpResponseMessage"/>) into a shared breaker in
/// the container's <see cref="CircuitBreakerRegistry"/>, so a breaker behind an HTTP client is listed where health
/// checks and dashboards look, and reports to the container's logger and meter.
/// </summary>
internal static class HttpBreakers
{
    public static SharedCircuitBreaker Register(string breakerName, string clientName, CircuitBreakerStrategyOptions<HttpResponseMessage> options, IServiceProvider services)
    {
        var typed = options.ShouldHandle;
        var untyped = CircuitBreakerOptionsValidator.Copy(options);

        // Outcomes reach a shared breaker untyped; the typed rule still decides (a 503 is a failure).
        untyped.ShouldHandle = outcome => typed(outcome.Exception is { } exception
            ? Outcome.FromException<HttpResponseMessage>(exception)
            : Outcome.FromResult((HttpResponseMessage)outcome.Result!));
        untyped.ManualControl = options.ManualControl;
        untyped.StateProvider = options.StateProvider;
        var breaker = new SharedCircuitBreaker(breakerName, untyped, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>(), pipelineName: clientName);
        services.GetService<CircuitBreakerRegistry>()?.Set(breaker);
        return breaker;
    }
}
