using Resilience.Timeout;

namespace Resilience.Samples.Console;

internal static class TimeoutTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Timeout: /slow answers after 2 s, the pipeline allows 200 ms ==");
        var pipeline = new ResiliencePipelineBuilder { Name = "slow-api" }
            .AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = TimeSpan.FromMilliseconds(200),
                OnTimeout = args =>
                {
                    System.Console.WriteLine($"  OnTimeout: gave up after {args.Timeout.TotalMilliseconds} ms");
                    return default;
                },
            })
            .Build();

        try
        {
            await pipeline.ExecuteAsync(static (client, ct) => new ValueTask<string>(client.GetStringAsync("/slow", ct)), http);
        }
        catch (TimeoutRejectedException ex)
        {
            System.Console.WriteLine($"  caught {nameof(TimeoutRejectedException)}: {ex.Message}");
        }
    }
}
