using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Resilience.Compensation;

namespace Resilience.PostgreSql.Tests.Compensation;

public sealed class PostgreSqlCompensationJournalTests : CompensationJournalTestBase
{
    [PostgresFact]
    public async Task Scope_CompletedOrRolledBack_LeavesNothingInTheJournal()
    {
        var time = new FakeTimeProvider(T0);
        var manager = Fixture.Manager(time, "a");
        var journal = Fixture.Journal(time, "reader");

        var completed = manager.Begin("order-1");
        await completed.RegisterAsync("undo", "order-1/inventory");
        (await journal.FindAsync("order-1"))!.Steps.Should().ContainKey(0);
        await completed.CompleteAsync();
        await completed.DisposeAsync();

        var rolledBack = manager.Begin("order-2");
        await rolledBack.RegisterAsync("undo", "order-2/inventory");
        await rolledBack.RegisterAsync("undo", "order-2/payment");
        await rolledBack.DisposeAsync();

        (await journal.FindAsync("order-1")).Should().BeNull();
        (await journal.FindAsync("order-2")).Should().BeNull();
        (await journal.GetUnfinishedAsync()).Should().BeEmpty();
        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-2/inventory"] = 1, ["order-2/payment"] = 1 });
    }

    [PostgresFact]
    public async Task CrashedScope_IsRecoveredByExactlyOneOfThreeManagers_AfterItsLeaseExpires()
    {
        var crashedTime = new FakeTimeProvider(T0);
        var crashed = Fixture.Manager(crashedTime, "crashed");
        var scope = crashed.Begin("order-1");
        await scope.RegisterAsync("undo", "order-1/inventory");
        await scope.RegisterAsync("undo", "order-1/payment");
        await scope.RegisterAsync("undo", "order-1/shipment");

        // The process dies with the scope open: no completion, no rollback, its claim left to expire.
        await crashed.DisposeAsync();

        var time = new FakeTimeProvider(T0);
        var managers = new[] { Fixture.Manager(time, "b"), Fixture.Manager(time, "c"), Fixture.Manager(time, "d") };

        // Still leased by the crashed instance: nobody takes it.
        (await managers[0].RecoverAsync()).Should().BeEmpty();
        Fixture.Compensated.Should().BeEmpty();

        time.Advance(CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var results = await Task.WhenAll(managers.Select(m => Task.Run(() => m.RecoverAsync())));

        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/inventory"] = 1, ["order-1/payment"] = 1, ["order-1/shipment"] = 1 });
        results.SelectMany(r => r).Should().ContainSingle().Which.Steps.Select(s => s.Index).Should().Equal(2, 1, 0);
        (await managers[0].ResumeAsync("order-1")).Steps.Should().BeEmpty();
    }

    [PostgresFact]
    public async Task CrashedResumeOfAParkedRollback_IsResumedByExactlyOneOfThreeManagers()
    {
        // The crashed instance parked the rollback after compensating step 2, then claimed it again to resume it (a
        // dead letter attempt) and died holding the claim.
        var crashedTime = new FakeTimeProvider(T0);
        var crashed = Fixture.Journal(crashedTime, "crashed");
        await crashed.RegisterStepAsync("order-1", 0, "undo", Json("order-1/inventory"));
        await crashed.RegisterStepAsync("order-1", 1, "undo", Json("order-1/payment"));
        await crashed.RegisterStepAsync("order-1", 2, "undo", Json("order-1/shipment"));
        (await crashed.MarkCompensatedAsync("order-1", 2)).Should().BeTrue();
        await crashed.ParkAsync("order-1", "entry-1");
        (await crashed.TryClaimAsync("order-1")).Should().NotBeNull();
        await crashed.DisposeAsync();

        var time = new FakeTimeProvider(T0);
        var managers = new[] { Fixture.Manager(time, "b"), Fixture.Manager(time, "c"), Fixture.Manager(time, "d") };

        // A claim still leased is not taken.
        var early = () => managers[1].ResumeAsync("order-1");
        await early.Should().ThrowAsync<InvalidOperationException>().WithMessage("*claimed by another runner*");

        time.Advance(CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var outcomes = await Task.WhenAll(managers.Select(m => Task.Run(async () =>
        {
            try
            {
                return await m.ResumeAsync("order-1");
            }
            catch (InvalidOperationException)
            {
                // Lost the race while the winner still held the claim.
                return null;
            }
        })));

        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/inventory"] = 1, ["order-1/payment"] = 1 });
        outcomes.Where(r => r is { Steps.Count: > 0 }).Should().ContainSingle().Which!.Steps.Select(s => s.Index).Should().Equal(1, 0);
        (await Fixture.Journal(time, "reader").FindAsync("order-1")).Should().BeNull();
    }

    [PostgresFact]
    public async Task DelegateStepOfACrashedInstance_IsLostOnTheOthers_UntilAcknowledged()
    {
        var crashedTime = new FakeTimeProvider(T0);
        var crashed = Fixture.Manager(crashedTime, "crashed");
        var scope = crashed.Begin("order-1");
        await scope.RegisterAsync("undo", "order-1/inventory");
        scope.Register(() => Fixture.Compensated.AddOrUpdate("order-1/delegate", 1, static (_, n) => n + 1));
        await scope.RegisterAsync("undo", "order-1/shipment");
        await crashed.DisposeAsync();

        var time = new FakeTimeProvider(T0 + CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var other = Fixture.Manager(time, "other");
        var recovered = (await other.RecoverAsync()).Should().ContainSingle().Subject;

        // The named step above the delegate ran; the walk stopped at the delegate, whose compensation died with its process.
        recovered.LostSteps.Should().Equal(1);
        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/shipment"] = 1 });

        (await other.AcknowledgeLostStepsAsync("order-1")).Should().Equal(1);
        var resumed = await other.ResumeAsync("order-1");

        resumed.Steps.Select(s => s.Index).Should().Equal(0);
        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/shipment"] = 1, ["order-1/inventory"] = 1 });
        (await Fixture.Journal(time, "reader").FindAsync("order-1")).Should().BeNull();
    }

    [PostgresFact]
    public async Task ClaimStillLeased_IsNotTaken_AndARenewedClaimOutlivesItsFirstExpiry()
    {
        var ownerTime = new FakeTimeProvider(T0);
        var owner = Fixture.Journal(ownerTime, "owner");
        await owner.RegisterStepAsync("order-1", 0, "undo", Json("order-1/inventory"));
        (await owner.TryClaimAsync("order-1")).Should().NotBeNull();

        var otherTime = new FakeTimeProvider(T0);
        var other = Fixture.Journal(otherTime, "other");
        (await other.TryClaimAsync("order-1")).Should().BeNull();

        // Renewed before it ran out (the owner's timer does this every third of the lease): still the owner's after the first expiry.
        ownerTime.SetUtcNow(T0 + (CompensationJournalFixture.Lease * 0.9));
        (await owner.RenewClaimsAsync()).Should().Be(1);
        otherTime.SetUtcNow(T0 + CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        (await other.TryClaimAsync("order-1")).Should().BeNull();
        (await other.MarkCompensatedAsync("order-1", 0)).Should().BeFalse();

        // Past the renewed expiry: taken over.
        otherTime.SetUtcNow(T0 + (CompensationJournalFixture.Lease * 2));
        (await other.TryClaimAsync("order-1")).Should().NotBeNull();
    }

    [PostgresFact]
    public async Task ClaimHeldWhileTheOwnerRuns_IsRenewedByItsTimer_EveryThirdOfTheLease()
    {
        var ownerTime = new FakeTimeProvider(T0);
        var owner = Fixture.Journal(ownerTime, "owner");
        await owner.RegisterStepAsync("order-1", 0, "undo", Json("order-1/inventory"));
        (await owner.TryClaimAsync("order-1")).Should().NotBeNull();

        // Two ticks of the renewal timer: the claim now runs out a lease after the second tick, not after the claim.
        for (var tick = 0; tick < 2; tick++)
        {
            ownerTime.Advance(CompensationJournalFixture.Lease / 3);
            await owner.LastRenewal;
        }

        var otherTime = new FakeTimeProvider(T0 + CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var other = Fixture.Journal(otherTime, "other");
        (await other.TryClaimAsync("order-1")).Should().BeNull();
        otherTime.SetUtcNow(T0 + (CompensationJournalFixture.Lease * 5 / 3) + TimeSpan.FromSeconds(1));
        (await other.TryClaimAsync("order-1")).Should().NotBeNull();
    }

    [PostgresFact]
    public async Task LateFinishFromAnExpiredClaim_IsRejected_AndTheStepIsMarkedOnce()
    {
        var staleTime = new FakeTimeProvider(T0);
        var stale = Fixture.Journal(staleTime, "stale");
        await stale.RegisterStepAsync("order-1", 0, "undo", Json("order-1/inventory"));
        await stale.RegisterStepAsync("order-1", 1, "undo", Json("order-1/payment"));
        (await stale.TryClaimAsync("order-1")).Should().NotBeNull();

        // The stale runner stalls past its lease; another instance takes the rollback over and compensates step 1.
        var time = new FakeTimeProvider(T0 + CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var current = Fixture.Journal(time, "current");
        (await current.TryClaimAsync("order-1")).Should().NotBeNull();
        (await current.MarkAsync("order-1", 1)).Should().Be((true, true));

        // The stale runner's late writes are refused: its mark, its park, its end.
        (await stale.MarkCompensatedAsync("order-1", 1)).Should().BeFalse();
        (await stale.MarkCompensatedAsync("order-1", 0)).Should().BeFalse();
        (await stale.EndAsync("order-1", completed: false)).Should().BeFalse();
        await stale.ParkAsync("order-1", "entry-late");
        var seen = await current.FindAsync("order-1");
        seen!.CompensatedSteps.Should().Equal(1);
        seen.ParkedEntryId.Should().BeNull();

        // The current owner marks a step once: the second write changes nothing.
        (await current.MarkAsync("order-1", 1)).Should().Be((true, false));
        (await current.EndAsync("order-1", completed: false)).Should().BeTrue();
        (await current.FindAsync("order-1")).Should().BeNull();
    }

    [PostgresFact]
    public async Task LateCompletionOfAScopeWhoseClaimWasTakenOver_Throws()
    {
        var ownerTime = new FakeTimeProvider(T0);
        var owner = Fixture.Manager(ownerTime, "owner");
        var scope = owner.Begin("order-1");
        await scope.RegisterAsync("undo", "order-1/inventory");

        // The owner stalls past its lease without renewing; another instance recovers (rolls back) the operation.
        var time = new FakeTimeProvider(T0 + CompensationJournalFixture.Lease + TimeSpan.FromSeconds(1));
        var other = Fixture.Journal(time, "other");
        (await other.TryClaimAsync("order-1")).Should().NotBeNull();

        var complete = () => scope.CompleteAsync().AsTask();
        await complete.Should().ThrowAsync<InvalidOperationException>().WithMessage("*another instance is rolling it back*");
    }

    [PostgresFact]
    public async Task Migration_TwiceAndConcurrently_IsSafe_BesideADeadLetterQueue()
    {
        var time = new FakeTimeProvider(T0);
        var opens = Enumerable.Range(0, 4).Select(i => Task.Run(() => (IAsyncDisposable)Fixture.Journal(time, $"i{i}"))).ToList();
        opens.Add(Task.Run(() => (IAsyncDisposable)PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
            {
                ConnectionString = PostgresDatabase.RequireConnectionString(),
                Schema = Fixture.Schema,
                QueueName = "orders",
            })));
        await Task.WhenAll(opens);
        await (await opens[^1]).DisposeAsync();

        var again = Fixture.Journal(time, "again");
        await again.RegisterStepAsync("order-1", 0, "undo", Json("order-1/inventory"));
        (await again.FindAsync("order-1"))!.Steps[0].HandlerName.Should().Be("undo");

        await using var connection = new NpgsqlConnection(PostgresDatabase.RequireConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT component, version FROM {Fixture.Schema}.resilience_schema_versions ORDER BY component", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<(string, int)>();
        while (await reader.ReadAsync())
        {
            versions.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        versions.Should().Contain(("compensation:orders", 1));
        versions.Should().Contain(v => v.Item1 == "dlq:orders");
    }

    [Fact]
    public void Options_Invalid_AreRefusedNamingTheOption()
    {
        var badName = () => new CompensationManager(new CompensationOptions().UsePostgreSql("Host=127.0.0.1", "resilience", "Orders"));
        badName.Should().Throw<ArgumentException>().WithMessage("*PostgreSqlCompensationJournalOptions.Name*");

        var badLease = () => new CompensationManager(new CompensationOptions().UsePostgreSql("Host=127.0.0.1", configure: o => o.LeaseDuration = TimeSpan.Zero));
        badLease.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*PostgreSqlCompensationJournalOptions.LeaseDuration*");

        var none = () => PostgreSqlCompensationJournal.Open(new PostgreSqlCompensationJournalOptions());
        none.Should().Throw<ArgumentException>().WithMessage("*ConnectionString*DataSource*");

        var both = () => new CompensationManager(new CompensationOptions { JournalDirectory = "/tmp/x" }.UsePostgreSql("Host=127.0.0.1"));
        both.Should().Throw<ArgumentException>().WithMessage("*CompensationOptions.JournalDirectory*CompensationOptions.JournalFactory*");
    }

    private static byte[] Json(string step) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(step, StepJson.Default.String);
}
