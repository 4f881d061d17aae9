using Resilience.CircuitBreaker;

namespace Resilience.Tests.CircuitBreaker;

public class CircuitBreakerRegistryTests
{
    private static readonly CircuitBreakerStrategyOptions Options = new() { ConsecutiveFailureThreshold = 2 };

    [Fact]
    public void TryRemove_ByName_ForgetsTheBreaker()
    {
        var registry = new CircuitBreakerRegistry();
        var breaker = registry.GetOrAdd("orders", Options);

        registry.TryRemove("orders", out var removed).Should().BeTrue();

        removed.Should().BeSameAs(breaker);
        registry.Breakers.Should().BeEmpty();
        registry.TryGet("orders", out _).Should().BeFalse();
        registry.TryRemove("orders", out _).Should().BeFalse();
    }

    [Fact]
    public void Remove_AReplacedInstance_KeepsTheReplacement()
    {
        var registry = new CircuitBreakerRegistry();
        var first = registry.GetOrAdd("orders", Options);
        var second = new SharedCircuitBreaker("orders", Options);
        registry.Set(second);

        registry.Remove(first).Should().BeFalse();
        registry.Breakers.Should().ContainSingle().Which.Should().BeSameAs(second);

        registry.Remove(second).Should().BeTrue();
        registry.Breakers.Should().BeEmpty();
    }

    [Fact]
    public void ManyNames_AddedAndRemoved_RegistryDoesNotGrow()
    {
        var registry = new CircuitBreakerRegistry();
        for (var i = 0; i < 1000; i++)
        {
            var name = "tenant-" + i;
            registry.GetOrAdd(name, Options);
            registry.TryRemove(name, out _).Should().BeTrue();
        }

        registry.Breakers.Should().BeEmpty();
    }
}
