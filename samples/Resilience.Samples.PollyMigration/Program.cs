using OrdersApp;

// dotnet run --project samples/Resilience.Samples.PollyMigration -- http://127.0.0.1:5000/
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var api))
{
    Console.Error.WriteLine("usage: Resilience.Samples.PollyMigration <orders API base address>");
    return 2;
}

using var http = new HttpClient { BaseAddress = api };
var client = new OrdersClient(http, Console.WriteLine);
Console.WriteLine(await client.GetOrderAsync(1, CancellationToken.None));
return 0;
