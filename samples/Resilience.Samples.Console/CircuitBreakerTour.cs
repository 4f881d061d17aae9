using Resilience.CircuitBreaker;

namespace Resilience.Samples.Console;

internal static class CircuitBreakerTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Circuit breaker: /flaky fails 2 calls in 3; two failures in a row open the circuit for 300 ms ==");
        var pipeline = new ResiliencePipelineBuilder<string> { Name = "flaky-api" }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<string>
            {
                ConsecutiveFailureThreshold = 2,
                BreakDuration = TimeSpan.FromMilliseconds(300),
                OnOpened = args => Say($"  circuit OPEN ({args.Reason}) for {args.BreakDuration.TotalMilliseconds} ms"),
                OnHalfOpened = _ => Say("  circuit HALF-OPEN: next call is a probe"),
                OnClosed = _ => Say("  circuit CLOSED"),
            })
            .Build();

        for (var call = 1; call <= 8; call++)
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(static (client, ct) => new ValueTask<string>(client.GetStringAsync("/flaky", ct)), http);
            var text = outcome.Exception switch
            {
                null => outcome.Result,
                BrokenCircuitException broken => $"rejected without calling (retry after {broken.RetryAfter?.TotalMilliseconds:F0} ms)",
                var ex => "failed: " + ex.Message,
            };
            System.Console.WriteLine($"  call {call}: {text}");
            if (call == 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(350), TimeProvider.System);
            }
        }
    }

    private static ValueTask Say(string text)
    {
        System.Console.WriteLine(text);
        return default;
    }
}
