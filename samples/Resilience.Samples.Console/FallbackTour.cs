using Resilience.Fallback;

namespace Resilience.Samples.Console;

internal static class FallbackTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Fallback: /flaky fails 2 calls in 3; failures fall back to a cached value ==");
        var options = new FallbackStrategyOptions<string>
        {
            ShouldHandle = Handle<string>.Exception<HttpRequestException>(),
            OnFallback = args =>
            {
                System.Console.WriteLine($"  OnFallback #{args.FallbackIndex}: {args.Outcome.Exception?.Message}");
                return default;
            },
        };
        options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("cached data"));

        var pipeline = new ResiliencePipelineBuilder<string> { Name = "flaky-api" }
            .AddFallback(options)
            .AddTimeout(TimeSpan.FromSeconds(1))
            .Build();

        for (var call = 1; call <= 3; call++)
        {
            var body = await pipeline.ExecuteAsync(static (client, ct) => new ValueTask<string>(client.GetStringAsync("/flaky", ct)), http);
            System.Console.WriteLine($"  call {call}: {body}");
        }
    }
}
