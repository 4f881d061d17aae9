using Resilience.Compensation;

namespace Resilience.Samples.Console;

internal static class CompensationTour
{
    public static async Task RunAsync(HttpClient http)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Compensation: reserve inventory, charge payment, create shipment (calls /flaky, which fails) ==");
        var compensations = new CompensationManager(new CompensationOptions { MaxAttempts = 1 });

        try
        {
            await using var saga = compensations.Begin("order-42");

            saga.Register(static () => System.Console.WriteLine("  compensate: release inventory"));
            System.Console.WriteLine("  reserve inventory: ok");

            saga.Register(static () => System.Console.WriteLine("  compensate: refund payment"));
            System.Console.WriteLine("  charge payment: ok");

            saga.Register(static () => System.Console.WriteLine("  compensate: cancel shipment (it may never have been created)"));
            while (true)
            {
                // The shipping service is /flaky: keep calling until it fails, to show the rollback.
                using var response = await http.GetAsync(new Uri("/flaky", UriKind.Relative));
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"create shipment failed: {(int)response.StatusCode}");
                }
            }
        }
        catch (HttpRequestException ex)
        {
            System.Console.WriteLine($"  {ex.Message}; the saga was rolled back last-in first-out above");
        }

        System.Console.WriteLine($"  statistics: {compensations.GetStatistics()}");
    }
}
