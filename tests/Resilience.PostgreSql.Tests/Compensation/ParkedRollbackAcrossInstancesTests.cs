using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests.Compensation;

/// <summary>
/// The whole path over one database: a rollback parks in the shared dead letter queue on one instance, that instance
/// goes away, and the dead letter processors of three others resume it; the journal's claims and the queue's leases
/// together run each remaining step once.
/// </summary>
public sealed class ParkedRollbackAcrossInstancesTests : CompensationJournalTestBase
{
    private readonly List<IAsyncDisposable> _instances = [];

    public override async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [PostgresFact]
    public async Task RollbackParkedByAnInstanceThatWentAway_IsResumedOnceByTheOthersProcessors()
    {
        var parkerTime = new FakeTimeProvider(T0);
        var (parkerQueue, parker) = Instance(parkerTime, "parker", failing: "order-1/payment");
        var scope = parker.Begin("order-1");
        await scope.RegisterAsync("undo", "order-1/inventory");
        await scope.RegisterAsync("undo", "order-1/payment");
        await scope.RegisterAsync("undo", "order-1/shipment");
        await scope.DisposeAsync();
        var parked = await Fixture.Journal(parkerTime, "reader").FindAsync("order-1");
        parked!.ParkedEntryId.Should().NotBeNull();
        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/shipment"] = 1 });

        await parker.DisposeAsync();
        await parkerQueue.DisposeAsync();

        var clocks = new[] { new FakeTimeProvider(T0), new FakeTimeProvider(T0), new FakeTimeProvider(T0) };
        var queues = new List<DeadLetterQueue>();
        for (var i = 0; i < clocks.Length; i++)
        {
            queues.Add(Instance(clocks[i], $"i{i}", failing: null).Queue);
        }

        foreach (var queue in queues)
        {
            queue.Processor.Start();
        }

        for (var round = 0; round < 100 && (await queues[0].GetAsync(parked.ParkedEntryId!))?.Status != DeadLetterStatus.Recovered; round++)
        {
            foreach (var clock in clocks)
            {
                clock.Advance(TimeSpan.FromSeconds(5));
            }

            foreach (var queue in queues)
            {
                await queue.Processor.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        var entry = await queues[0].GetAsync(parked.ParkedEntryId!);
        entry!.Status.Should().Be(DeadLetterStatus.Recovered, $"attempts {entry.AttemptCount}, next {entry.NextAttemptAt}, error {entry.Error.Message}, now {clocks[0].GetUtcNow()}");
        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/shipment"] = 1, ["order-1/payment"] = 1, ["order-1/inventory"] = 1 });
        (await Fixture.Journal(clocks[0], "reader2").FindAsync("order-1")).Should().BeNull();
    }

    private (DeadLetterQueue Queue, CompensationManager Manager) Instance(FakeTimeProvider time, string name, string? failing)
    {
        var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions
        {
            TimeProvider = time,
            MaxAttempts = 5,
            Randomizer = () => 0.5,
            PauseAfterConsecutiveFailures = int.MaxValue,
        }.UsePostgreSql(PostgresDatabase.RequireConnectionString(), Fixture.Schema, "orders", o =>
        {
            o.InstanceId = name;
            o.LeaseDuration = CompensationJournalFixture.Lease;
            o.PollInterval = TimeSpan.FromSeconds(5);
        }));
        var manager = new CompensationManager(new CompensationOptions
        {
            TimeProvider = time,
            MaxAttempts = 1,
            FailurePolicy = CompensationFailurePolicy.StopAndPark,
            DeadLetterQueue = queue,
        }.UsePostgreSql(PostgresDatabase.RequireConnectionString(), Fixture.Schema, "orders", o =>
        {
            o.LeaseDuration = CompensationJournalFixture.Lease;
            o.InstanceId = name;
        }));
        manager.RegisterHandler("undo", StepJson.Default.String, (step, _) =>
        {
            if (step == failing)
            {
                throw new InvalidOperationException($"{step} is down on {name}.");
            }

            Fixture.Compensated.AddOrUpdate(step, 1, static (_, n) => n + 1);
            return default;
        });

        // The manager first: it disposes its journal; the queue after it.
        _instances.Add(manager);
        _instances.Add(queue);
        return (queue, manager);
    }
}
