using Resilience.DeadLetter;
using Resilience.Tests.DeadLetter.Contract;

namespace Resilience.PostgreSql.Tests;

/// <summary>The store contract for the PostgreSQL store, reopened on the same schema.</summary>
public sealed class PostgreSqlDeadLetterStoreContractTests : DeadLetterStoreContractTests
{
    private readonly string _schema = PostgresDatabase.NewSchema();

    protected override ValueTask<IDeadLetterStore> OpenAsync()
        => new(PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = PostgresDatabase.RequireConnectionString(),
            Schema = _schema,
            QueueName = "contract",
            MaxPayloadBytes = MaxPayloadBytes,
        }));

    protected override async ValueTask CleanUpAsync()
    {
        if (PostgresDatabase.ConnectionString is not null)
        {
            await PostgresDatabase.DropSchemaAsync(_schema);
        }
    }
}
