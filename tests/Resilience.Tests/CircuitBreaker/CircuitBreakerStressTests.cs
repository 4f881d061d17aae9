using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Resilience.CircuitBreaker;
using Resilience.CircuitBreaker.Internal;
using Resilience.Telemetry;

using Resilience.Tests.TestUtils;

namespace Resilience.Tests.CircuitBreaker;

public class CircuitBreakerStressTests
{
    [Theory]
    [InlineData(SamplingWindow.CountBased)]
    [InlineData(SamplingWindow.TimeBased)]
    public void ManyThreadsWithMovingClock_InvariantsHold(SamplingWindow window)
    {
        const int Threads = 16;
        const int CallsPerThread = 10_000;
        const int Permitted = 3;
        var time = new FakeTimeProvider();
        var transitions = new ConcurrentQueue<(long Generation, CircuitState State)>();
        var options = new CircuitBreakerStrategyOptions
        {
            SamplingWindow = window,
            WindowSize = 50,
            SamplingDuration = TimeSpan.FromSeconds(1),
            MinimumThroughput = 20,
            FailureRatio = 0.3,
            BreakDuration = TimeSpan.FromMilliseconds(50),
            PermittedCallsInHalfOpen = Permitted,
            SuccessThresholdInHalfOpen = 2,
            MaxWaitInHalfOpen = TimeSpan.FromMilliseconds(200),
            OnOpened = a => Enqueue(transitions, a.Generation, CircuitState.Open),
            OnClosed = a => Enqueue(transitions, a.Generation, CircuitState.Closed),
            OnHalfOpened = a => Enqueue(transitions, a.Generation, CircuitState.HalfOpen),
        };
        var controller = new CircuitController("stress", options, time, new ResilienceTelemetry(null, "stress"));
        var probesInFlight = 0;
        var maxProbesInFlight = 0;
        var probesPerGeneration = new ConcurrentDictionary<long, int>();
        var releasedProbesPerGeneration = new ConcurrentDictionary<long, int>();
        long admitted = 0;
        long rejected = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            var random = new Random(thread);
            for (var i = 0; i < CallsPerThread; i++)
            {
                if (i % 64 == 0)
                {
                    // The callers move the clock themselves, so time passes in step with the calls however the
                    // threads are scheduled (a separate clock thread starved on a loaded 2-core machine, and the
                    // breaker never left its first open state): 2.5 s in all, each failing phase 1 s long.
                    time.Advance(TimeSpan.FromMilliseconds(1));
                }

                if (!controller.TryAcquire(out var permit, out var rejection, out _))
                {
                    rejection.Should().BeAssignableTo<BrokenCircuitException>();
                    Interlocked.Increment(ref rejected);
                    continue;
                }

                Interlocked.Increment(ref admitted);
                if (permit.IsProbe)
                {
                    probesPerGeneration.AddOrUpdate(permit.Generation, 1, static (_, n) => n + 1);
                    var now = Interlocked.Increment(ref probesInFlight);
                    InterlockedMax.Update(ref maxProbesInFlight, now);
                    Thread.SpinWait(50);
                }

                // Failure-heavy phases alternate with healthy ones so the breaker keeps cycling.
                var failing = (time.GetUtcNow().Ticks / TimeSpan.TicksPerSecond) % 2 == 0;
                var failure = random.NextDouble() < (failing ? 0.6 : 0.05);
                if (permit.IsProbe)
                {
                    Interlocked.Decrement(ref probesInFlight);
                }

                if (random.Next(100) == 0)
                {
                    if (permit.IsProbe)
                    {
                        releasedProbesPerGeneration.AddOrUpdate(permit.Generation, 1, static (_, n) => n + 1);
                    }

                    controller.Release(permit);
                }
                else
                {
                    var recorded = controller.Record(permit, failure, slow: false, failure ? new IOException() : null);
                    recorded.IsCompletedSuccessfully.Should().BeTrue("the event callbacks complete synchronously");
                }
            }
        });

        (admitted + rejected).Should().Be(Threads * CallsPerThread, "every call is either admitted or rejected");
        maxProbesInFlight.Should().BeLessThanOrEqualTo(Permitted);
        foreach (var (generation, probes) in probesPerGeneration)
        {
            probes.Should().BeLessThanOrEqualTo(Permitted + releasedProbesPerGeneration.GetValueOrDefault(generation), $"half-open generation {generation} admitted too many probes");
        }

        var ordered = transitions.OrderBy(t => t.Generation).ToList();
        ordered.Should().HaveCountGreaterThan(2, "the breaker should have cycled");
        ordered.Select(t => t.Generation).Should().OnlyHaveUniqueItems("each state change is reported once");
        ordered.Select(t => t.Generation).Should().Equal(Enumerable.Range(1, ordered.Count).Select(g => (long)g), "no change goes unreported");
        var previous = CircuitState.Closed;
        foreach (var (generation, state) in ordered)
        {
            IsValid(previous, state).Should().BeTrue($"{previous} -> {state} at generation {generation} is not a valid transition");
            previous = state;
        }
    }

    private static bool IsValid(CircuitState from, CircuitState to) => (from, to) switch
    {
        (CircuitState.Closed, CircuitState.Open) => true,
        (CircuitState.Open, CircuitState.HalfOpen) => true,
        (CircuitState.HalfOpen, CircuitState.Open) => true,
        (CircuitState.HalfOpen, CircuitState.Closed) => true,
        _ => false,
    };

    private static ValueTask Enqueue(ConcurrentQueue<(long, CircuitState)> queue, long generation, CircuitState state)
    {
        queue.Enqueue((generation, state));
        return default;
    }
}
