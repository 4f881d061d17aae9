namespace Resilience.PostgreSql.Tests.Compensation;

/// <summary>What every PostgreSQL journal test class sets up: a fixture with its own tables, removed afterwards.</summary>
public abstract class CompensationJournalTestBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private protected CompensationJournalFixture Fixture { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Fixture = new CompensationJournalFixture();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        if (PostgresDatabase.ConnectionString is not null)
        {
            await Fixture.CleanUpAsync();
        }
    }
}
