using Resilience.Samples.Console;

// A tour of the library against a flaky HTTP endpoint served in-process on 127.0.0.1.
await using var server = await FlakyServer.StartAsync();
using var http = new HttpClient { BaseAddress = server.BaseAddress };
Console.WriteLine($"Flaky server listening on {server.BaseAddress}");

await TimeoutTour.RunAsync(http);
await RetryTour.RunAsync(http);
await CircuitBreakerTour.RunAsync(http);
await BulkheadTour.RunAsync(http);
await CompensationTour.RunAsync(http);
await FallbackTour.RunAsync(http);

Console.WriteLine();
Console.WriteLine("Tour complete.");
