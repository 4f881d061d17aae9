using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;

namespace Resilience.PostgreSql.Tests.Compensation;

/// <summary>State of the test steps: the step's name, which the handler counts.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class StepJson : JsonSerializerContext
{
}

/// <summary>
/// Managers and journals over one fresh schema, with a shared count of how often each step was compensated. Every
/// manager gets its own journal instance (its own instance id), as separate processes would.
/// </summary>
internal sealed class CompensationJournalFixture
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];

    public string Schema { get; } = PostgresDatabase.NewSchema();

    public ConcurrentDictionary<string, int> Compensated { get; } = new(StringComparer.Ordinal);

    public PostgreSqlCompensationJournalOptions Options(TimeProvider time, string instance) => new()
    {
        ConnectionString = PostgresDatabase.RequireConnectionString(),
        Schema = Schema,
        Name = "orders",
        LeaseDuration = Lease,
        InstanceId = instance,
        TimeProvider = time,
    };

    public PostgreSqlCompensationJournal Journal(TimeProvider time, string instance)
    {
        var journal = PostgreSqlCompensationJournal.Open(Options(time, instance));
        _owned.Add(journal);
        return journal;
    }

    /// <summary>A manager over its own journal, with the counting "undo" handler registered.</summary>
    public CompensationManager Manager(FakeTimeProvider time, string instance)
    {
        var manager = new CompensationManager(new CompensationOptions { TimeProvider = time, MaxAttempts = 1 }
            .UsePostgreSql(PostgresDatabase.RequireConnectionString(), Schema, "orders", o =>
            {
                o.LeaseDuration = Lease;
                o.InstanceId = instance;
            }));
        RegisterUndo(manager);
        _owned.Add(manager);
        return manager;
    }

    public void RegisterUndo(CompensationManager manager)
        => manager.RegisterHandler("undo", StepJson.Default.String, (step, _) =>
        {
            Compensated.AddOrUpdate(step, 1, static (_, n) => n + 1);
            return default;
        });

    /// <summary>Disposes every manager and journal made here, then drops the schema.</summary>
    public async Task CleanUpAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await PostgresDatabase.DropSchemaAsync(Schema);
    }
}
