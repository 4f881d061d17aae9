using System.Text;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>
/// A fact of the store contract: skipped when the test assembly's <see cref="ContractEnvironment.SkipReason"/> says the
/// store cannot run here (each assembly that links this file defines it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
    public StoreFactAttribute()
    {
        if (ContractEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// The contract every <see cref="IDeadLetterStore"/> passes: in-memory, file and PostgreSQL derive from it (this file
/// is linked into Resilience.PostgreSql.Tests). Each derived class says how to open its store and how to reopen it on
/// the same storage.
/// </summary>
public abstract class DeadLetterStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private IDeadLetterStore? _store;

    /// <summary>Gets the store under test.</summary>
    protected IDeadLetterStore Store => _store ?? throw new InvalidOperationException("Not opened.");

    /// <summary>Gets the payload limit the derived class opens its store with.</summary>
    protected virtual int MaxPayloadBytes => 1024;

    /// <summary>Opens the store over this test's storage (the same storage on every call).</summary>
    protected abstract ValueTask<IDeadLetterStore> OpenAsync();

    /// <summary>Releases this test's storage after the store is disposed.</summary>
    protected virtual ValueTask CleanUpAsync() => default;

    public async Task InitializeAsync() => _store = await OpenAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await CleanUpAsync();
    }

    protected static DeadLetterEntry Entry(int n, string type = "charge-card", int payloadBytes = 10, DeadLetterStatus status = DeadLetterStatus.Pending, int attempts = 0) => new()
    {
        Id = $"01JCONTRACT{n:D15}",
        OperationType = type,
        CreatedAt = T0.AddMinutes(n),
        UpdatedAt = T0.AddMinutes(n),
        Error = new DeadLetterError { Type = "System.TimeoutException", Message = $"failure {n}", StackTrace = n % 2 == 0 ? null : "   at Somewhere()", Reason = DeadLetterFailureReason.MaxRetriesExceeded },
        Payload = Encoding.UTF8.GetBytes(new string('p', payloadBytes)),
        Context = n % 2 == 0 ? new Dictionary<string, string> { ["tenant"] = "t" + n } : new Dictionary<string, string>(),
        AttemptCount = attempts,
        MaxAttempts = 5,
        NextAttemptAt = T0.AddHours(1),
        Status = status,
    };

    private async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = await OpenAsync();
    }

    [StoreFact]
    public async Task SaveAsync_ThenFind_ReturnsEveryFieldWithAVersion()
    {
        var entry = Entry(2);
        await Store.SaveAsync([entry, Entry(3)]);

        var found = Store.Find(entry.Id);

        found.Should().NotBeNull();
        found!.ShouldMatch(entry);
        found!.Version.Should().BePositive();
        Store.Find("01JCONTRACT999999999999999").Should().BeNull();
    }

    [StoreFact]
    public async Task SaveAsync_SameIdAgain_ReplacesAndRaisesVersion()
    {
        await Store.SaveAsync([Entry(1)]);
        var first = Store.Find(Entry(1).Id)!;

        await Store.SaveAsync([Entry(1) with { AttemptCount = 3 }, Entry(1) with { AttemptCount = 4 }]);

        var second = Store.Find(Entry(1).Id)!;
        second.AttemptCount.Should().Be(4);
        second.Version.Should().BeGreaterThan(first.Version);
        Store.Count.Should().Be(1);
    }

    [StoreFact]
    public async Task TryUpdateAsync_AtCurrentVersion_WinsAndRaisesVersion()
    {
        await Store.SaveAsync([Entry(1)]);
        var read = Store.Find(Entry(1).Id)!;

        var updated = await Store.TryUpdateAsync(read with { Status = DeadLetterStatus.Retrying, AttemptCount = 1 });

        updated.Should().NotBeNull();
        updated!.Version.Should().BeGreaterThan(read.Version);
        var found = Store.Find(read.Id)!;
        found.Status.Should().Be(DeadLetterStatus.Retrying);
        found.Version.Should().Be(updated.Version);
    }

    [StoreFact]
    public async Task TryUpdateAsync_AtStaleVersion_LosesAndKeepsTheNewerState()
    {
        await Store.SaveAsync([Entry(1)]);
        var read = Store.Find(Entry(1).Id)!;
        var discarded = await Store.TryUpdateAsync(read with { Status = DeadLetterStatus.Discarded });

        var late = await Store.TryUpdateAsync(read with { Status = DeadLetterStatus.Recovered });

        late.Should().BeNull();
        var found = Store.Find(read.Id)!;
        found.Status.Should().Be(DeadLetterStatus.Discarded);
        found.Version.Should().Be(discarded!.Version);
    }

    [StoreFact]
    public async Task TryUpdateAsync_MissingEntry_NeverInserts()
    {
        var result = await Store.TryUpdateAsync(Entry(7) with { Version = 1 });

        result.Should().BeNull();
        Store.Find(Entry(7).Id).Should().BeNull();
        Store.Count.Should().Be(0);
    }

    [StoreFact]
    public async Task TryDeleteAsync_RemovesOnlyEntriesStillAtTheirVersion()
    {
        await Store.SaveAsync([Entry(1), Entry(2)]);
        var one = Store.Find(Entry(1).Id)!;
        var two = Store.Find(Entry(2).Id)!;
        await Store.TryUpdateAsync(two with { AttemptCount = 1 });

        var removed = await Store.TryDeleteAsync([one, two]);

        removed.Should().Be(1);
        Store.Find(one.Id).Should().BeNull();
        Store.Find(two.Id).Should().NotBeNull();
    }

    [StoreFact]
    public async Task DeleteAsync_PurgesByIdAndIgnoresUnknownIds()
    {
        await Store.SaveAsync([Entry(1), Entry(2), Entry(3)]);

        await Store.DeleteAsync([Entry(1).Id, Entry(3).Id, "01JCONTRACT999999999999999"]);

        Store.GetAll().Select(e => e.Id).Should().Equal(Entry(2).Id);
        Store.Count.Should().Be(1);
    }

    [StoreFact]
    public async Task Counts_FollowEveryChange()
    {
        await Store.SaveAsync([Entry(1, payloadBytes: 10), Entry(2, "send-email", payloadBytes: 20), Entry(3, payloadBytes: 30, attempts: 2)]);
        AssertCounts(total: 3, payload: 60, attempts: 2, pending: 3, exhausted: 0, oldest: Entry(1).CreatedAt);
        Store.GetCounts().ByOperationType.Should().BeEquivalentTo(new Dictionary<string, int> { ["charge-card"] = 2, ["send-email"] = 1 });
        Store.GetCounts().PendingByOperationType.Should().BeEquivalentTo(new Dictionary<string, int> { ["charge-card"] = 2, ["send-email"] = 1 });

        var one = Store.Find(Entry(1).Id)!;
        await Store.TryUpdateAsync(one with { Status = DeadLetterStatus.Exhausted, AttemptCount = 5 });
        AssertCounts(total: 3, payload: 60, attempts: 7, pending: 2, exhausted: 1, oldest: Entry(2).CreatedAt);

        await Store.DeleteAsync([Entry(2).Id]);
        AssertCounts(total: 2, payload: 40, attempts: 7, pending: 1, exhausted: 1, oldest: Entry(3).CreatedAt);

        var three = Store.Find(Entry(3).Id)!;
        await Store.TryDeleteAsync([three]);
        AssertCounts(total: 1, payload: 10, attempts: 5, pending: 0, exhausted: 1, oldest: null);
        Store.SizeBytes.Should().Be(DeadLetterLimits.EncodedSize(Store.Find(Entry(1).Id)!));
    }

    private void AssertCounts(int total, long payload, long attempts, int pending, int exhausted, DateTimeOffset? oldest)
    {
        var counts = Store.GetCounts();
        counts.Total.Should().Be(total);
        counts.PayloadBytes.Should().Be(payload);
        counts.AttemptsMade.Should().Be(attempts);
        counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Pending).Should().Be(pending);
        counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Exhausted).Should().Be(exhausted);
        counts.OldestPendingCreatedAt.Should().Be(oldest);
        Store.Count.Should().Be(total);
        Store.PayloadBytes.Should().Be(payload);
        Store.SizeBytes.Should().Be(Store.GetAll().Sum(DeadLetterLimits.EncodedSize));
    }

    [StoreFact]
    public async Task GetAll_IsOrderedById()
    {
        await Store.SaveAsync([Entry(5), Entry(1), Entry(3)]);

        Store.GetAll().Select(e => e.Id).Should().Equal(Entry(1).Id, Entry(3).Id, Entry(5).Id);
    }

    [StoreFact]
    public async Task SaveAsync_PayloadOverTheLimit_IsRejectedAndNothingIsWritten()
    {
        var act = async () => await Store.SaveAsync([Entry(1), Entry(2, payloadBytes: MaxPayloadBytes + 1)]);

        var thrown = await act.Should().ThrowAsync<DeadLetterRejectedException>();
        thrown.Which.Message.Should().ContainEquivalentOf("MaxPayloadBytes", "the message names the option that set the limit");
        thrown.Which.Reason.Should().Be(DeadLetterFailureReason.Oversized);
        Store.Count.Should().Be(0);
    }

    [StoreFact]
    public async Task SaveAsync_OperationTypeOverTheLimit_IsRejectedNamingTheLimit()
    {
        var act = async () => await Store.SaveAsync([Entry(1, type: new string('t', DeadLetterLimits.MaxOperationTypeLength + 1))]);

        (await act.Should().ThrowAsync<DeadLetterRejectedException>()).Which.Message.Should().Contain("DeadLetterLimits.MaxOperationTypeLength");
        Store.Count.Should().Be(0);
    }

    [StoreFact]
    public async Task TryUpdateAsync_OverTheLimit_IsRejectedAndTheEntryIsUnchanged()
    {
        await Store.SaveAsync([Entry(1)]);
        var read = Store.Find(Entry(1).Id)!;

        var act = async () => await Store.TryUpdateAsync(read with { Payload = new byte[MaxPayloadBytes + 1] });

        await act.Should().ThrowAsync<DeadLetterRejectedException>();
        Store.Find(read.Id)!.Version.Should().Be(read.Version);
    }

    [StoreFact]
    public async Task Reopen_KeepsAcknowledgedWritesAndVersionsKeepRising()
    {
        await Store.SaveAsync([Entry(1), Entry(2)]);
        var two = Store.Find(Entry(2).Id)!;
        var updated = await Store.TryUpdateAsync(two with { Status = DeadLetterStatus.Recovered, NextAttemptAt = null });
        await Store.DeleteAsync([Entry(1).Id]);

        await ReopenAsync();

        Store.Find(Entry(1).Id).Should().BeNull();
        var found = Store.Find(Entry(2).Id)!;
        found.ShouldMatch(Entry(2) with { Status = DeadLetterStatus.Recovered, NextAttemptAt = null });
        found.Version.Should().Be(updated!.Version);
        (await Store.TryUpdateAsync(found with { AttemptCount = 1 }))!.Version.Should().BeGreaterThan(found.Version);
        Store.GetCounts().ByStatus.GetValueOrDefault(DeadLetterStatus.Recovered).Should().Be(1);
    }
}
