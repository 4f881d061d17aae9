using Resilience.Samples.AspNetCore;

// An orders API calling a flaky inventory service (served by the same app on /downstream) through a named pipeline,
// with a compensation scope per order, failed reservations dead-lettered and retried, and /health.
//   dotnet run -c Release --project samples/Resilience.Samples.AspNetCore   (Release: reuses the test run's build)
//   dead letters: data/dead-letters here, or Resilience__DeadLetter__Directory=/some/dir
//   curl -X POST 'http://127.0.0.1:5080/orders?failShipment=true'   then   curl http://127.0.0.1:5080/dead-letters
var app = OrdersApp.Build(args);
await app.RunAsync();
