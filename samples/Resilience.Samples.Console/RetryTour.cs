using Resilience.Retry;

namespace Resilience.Samples.Console;

internal static class RetryTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Retry: delays per backoff type (base 100 ms, no jitter, cap 2 s) ==");
        foreach (var type in Enum.GetValues<BackoffType>())
        {
            var random = new Random(7);
            var options = new RetryStrategyOptions
            {
                BackoffType = type,
                BaseDelay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(2),
                Jitter = JitterMode.None,
                Randomizer = random.NextDouble,
            };
            var delays = options.PreviewDelays(6).Select(d => $"{d.TotalMilliseconds,5:F0}");
            System.Console.WriteLine($"  {type,-18} {string.Join(" ", delays)} ms");
        }

        System.Console.WriteLine();
        System.Console.WriteLine("== Retry: /flaky fails 2 calls in 3 with 503; the pipeline retries ==");
        var pipeline = new ResiliencePipelineBuilder<string> { Name = "flaky-api" }
            .AddRetry(new RetryStrategyOptions<string>
            {
                MaxRetryAttempts = 3,
                BaseDelay = TimeSpan.FromMilliseconds(20),
                OnRetry = args =>
                {
                    System.Console.WriteLine($"  retry {args.AttemptNumber} in {args.Delay.TotalMilliseconds:F0} ms after: {args.Outcome.Exception?.Message}");
                    return default;
                },
            })
            .Build();
        var body = await pipeline.ExecuteAsync(static (client, ct) => client.GetStringAsync("/flaky", ct), http);
        System.Console.WriteLine($"  got: {body}");
    }
}
