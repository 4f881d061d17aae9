using Resilience.Bulkhead;

namespace Resilience.Samples.Console;

internal static class BulkheadTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Bulkhead: 2 slots, queue of 1; five concurrent calls to /slowish (200 ms each) ==");
        var bulkhead = new SharedBulkhead("slowish-api", new BulkheadStrategyOptions { MaxConcurrency = 2, MaxQueueLength = 1, QueueTimeout = TimeSpan.FromSeconds(1) });
        var pipeline = new ResiliencePipelineBuilder<string>().AddBulkhead(bulkhead).Build();

        var calls = Enumerable.Range(1, 5).Select(async n =>
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(static (client, ct) => new ValueTask<string>(client.GetStringAsync("/slowish", ct)), http);
            return outcome.Exception is BulkheadRejectedException rejected
                ? $"  call {n}: rejected ({rejected.Reason})"
                : $"  call {n}: {outcome.Result}";
        }).ToList();
        System.Console.WriteLine($"  in use {bulkhead.InUse}, queued {bulkhead.Queued}, available {bulkhead.Available}");
        foreach (var line in await Task.WhenAll(calls))
        {
            System.Console.WriteLine(line);
        }
    }
}
