using Resilience.CircuitBreaker;

namespace Resilience.Recovery.Internal;

/// <summary>Unhealthy while the named breaker is anything but closed.</summary>
internal sealed class CircuitBreakerSignal(CircuitBreakerRegistry registry, string breakerName, string workflowName)
    : RecoverySignal("circuit-breaker:" + breakerName, workflowName)
{
    public override ValueTask<RecoverySignalResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGet(breakerName, out var breaker) || breaker.State == CircuitState.Closed)
        {
            return new(RecoverySignalResult.Healthy);
        }

        return new(RecoverySignalResult.Unhealthy($"circuit breaker '{breakerName}' is {breaker.State}"));
    }
}
