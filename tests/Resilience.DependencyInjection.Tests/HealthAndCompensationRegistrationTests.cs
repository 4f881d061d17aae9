using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Resilience.CircuitBreaker;
using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection.Tests;

public class HealthAndCompensationRegistrationTests
{
    [Fact]
    public async Task CircuitBreakerHealthCheck_DegradedWhileABreakerIsNotClosed()
    {
        var registry = new CircuitBreakerRegistry();
        var orders = registry.GetOrAdd("orders-api", new CircuitBreakerStrategyOptions());
        registry.GetOrAdd("stock-api", new CircuitBreakerStrategyOptions());
        var check = new CircuitBreakerHealthCheck(registry);

        (await check.CheckHealthAsync(new HealthCheckContext())).Status.Should().Be(HealthStatus.Healthy);
        await orders.IsolateAsync();
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Contain("orders-api");
        result.Data.Should().Contain("orders-api", "Isolated").And.Contain("stock-api", "Closed");
    }

    [Theory]
    [InlineData(1, HealthStatus.Healthy)]
    [InlineData(3, HealthStatus.Degraded)]
    [InlineData(5, HealthStatus.Unhealthy)]
    public async Task DeadLetterQueueHealthCheck_BacklogAgainstThresholds(int pending, HealthStatus expected)
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions());
        for (var i = 0; i < pending; i++)
        {
            await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        }

        var check = new DeadLetterQueueHealthCheck(queue, new DeadLetterHealthThresholds { DegradedPending = 3, UnhealthyPending = 5 });
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(expected);
        result.Data["pending"].Should().Be(pending);
    }

    // Issue 14, defect 10: a store that rejects every write reported Healthy.
    [Fact]
    public async Task DeadLetterQueueHealthCheck_StoreFaulted_UnhealthyNamingTheCause()
    {
        if (OperatingSystem.IsWindows())
        {
            // The test removes the directory of an open store, which Windows does not allow.
            return;
        }

        var directory = Path.Combine(Path.GetTempPath(), "resilience-di-tests", Guid.NewGuid().ToString("N"));
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, SegmentSize = 4096 });
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());
        var check = new DeadLetterQueueHealthCheck(queue, new DeadLetterHealthThresholds());
        (await check.CheckHealthAsync(new HealthCheckContext())).Status.Should().Be(HealthStatus.Healthy);

        // The disk goes away under the store: the next segment cannot be created, a write fails and the store faults.
        Directory.Delete(directory, recursive: true);
        for (var i = 0; i < 1000 && !store.IsFaulted; i++)
        {
            try
            {
                await queue.AddAsync("charge-card", new byte[1024], new IOException());
            }
            catch (DeadLetterStoreFaultedException)
            {
            }
        }

        store.IsFaulted.Should().BeTrue("(test setup) writes into a deleted directory fault the store");
        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Unhealthy, "a store that accepts no writes loses every new dead letter");
        result.Description.Should().Contain("faulted").And.Contain("reopen");
        result.Data["faulted"].Should().Be(true);
    }

    [Fact]
    public async Task AddResilienceHealthChecks_RegistersBothChecksWhenAQueueIsRegistered()
    {
        var services = new ServiceCollection().AddDeadLetterQueue(_ => { });
        services.AddHealthChecks().AddResilienceHealthChecks();
        await using var provider = services.BuildServiceProvider();

        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name);

        registrations.Should().BeEquivalentTo("resilience-circuit-breakers", "resilience-dead-letter-queue");
        provider.GetRequiredService<CircuitBreakerRegistry>().Should().NotBeNull();
    }

    [Fact]
    public async Task AddCompensationManager_WithJournal_HostedServiceRecoversAtStart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "resilience-di-tests", Guid.NewGuid().ToString("N"));
        var ran = new List<string>();
        try
        {
            await using (var first = Build(directory, ran))
            {
                var scope = first.GetRequiredService<CompensationManager>().Begin("booking-1");
                await scope.RegisterAsync("release-seat", new Seat("12A"));
                await scope.RegisterAsync("release-seat", new Seat("12B"));

                // The process stops here: booking-1 neither completed nor rolled back.
            }

            await using var second = Build(directory, ran);
            foreach (var hosted in second.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            ran.Should().Equal("12B", "12A");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ServiceProvider Build(string directory, List<string> ran) => new ServiceCollection()
        .AddCompensationManager(
            options => options.JournalDirectory = directory,
            (manager, _) => manager.RegisterHandler("release-seat", SeatJsonContext.Default.Seat, (seat, _) =>
            {
                ran.Add(seat.Number);
                return default;
            }))
        .BuildServiceProvider();
}

public sealed record Seat(string Number);

[JsonSerializable(typeof(Seat))]
internal sealed partial class SeatJsonContext : JsonSerializerContext
{
}

public class GracefulShutdownTests
{
    [Fact]
    public async Task StopAsync_AttemptInFlightPastTheShutdownTimeout_IsCancelledAndLeftPendingOnDisk()
    {
        var directory = Path.Combine(Path.GetTempPath(), "resilience-di-tests", Guid.NewGuid().ToString("N"));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        string id;
        try
        {
            await using (var services = new ServiceCollection()
                .AddSingleton<TimeProvider>(time)
                .AddDeadLetterQueue(options =>
                {
                    options.Directory = directory;
                    options.Randomizer = () => 0;
                })
                .BuildServiceProvider())
            {
                var queue = services.GetRequiredService<DeadLetterQueue>();
                var started = new TaskCompletionSource();
                queue.RegisterHandler("slow", async (_, ct) =>
                {
                    started.TrySetResult();
                    await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
                });
                id = (await queue.AddAsync("slow", "x"u8.ToArray(), new IOException())).Id;
                var hosted = services.GetServices<IHostedService>().Single();
                await hosted.StartAsync(CancellationToken.None);
                time.Advance(TimeSpan.FromSeconds(1));
                await started.Task;

                using var shutdown = new CancellationTokenSource();
                await shutdown.CancelAsync();
                await hosted.StopAsync(shutdown.Token);

                queue.Get(id)!.Status.Should().Be(DeadLetterStatus.Pending, "an attempt cut short by shutdown goes back in line");
            }

            await using var reopened = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory });
            var entry = reopened.Get(id)!;
            entry.Status.Should().Be(DeadLetterStatus.Pending);
            entry.AttemptCount.Should().Be(1, "the interrupted attempt was recorded before it ran");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
