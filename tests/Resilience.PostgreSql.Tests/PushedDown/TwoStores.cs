using System.Text;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Tests.PushedDown;

/// <summary>
/// The same entries in a file store and in a PostgreSQL store (behind <see cref="CountingStore"/>), each under a queue
/// with the same options and clock: what the differential tests run the same operations on.
/// </summary>
internal sealed class TwoStores : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Types = ["charge-card", "send-email", "ship-order"];
    private static readonly DeadLetterStatus[] Statuses =
        [DeadLetterStatus.Pending, DeadLetterStatus.Exhausted, DeadLetterStatus.Recovered, DeadLetterStatus.Discarded, DeadLetterStatus.Archived];

    private readonly string _directory;

    private TwoStores(string directory, string schema, FileDeadLetterStore file, CountingStore postgres, DeadLetterQueueOptions options)
    {
        _directory = directory;
        Schema = schema;
        FileStore = file;
        Postgres = postgres;
        Time = (FakeTimeProvider)options.TimeProvider;
        File = DeadLetterQueue.Create(file, options);
        PostgresQueue = DeadLetterQueue.Create(postgres, options);
    }

    public string Schema { get; }

    public FileDeadLetterStore FileStore { get; }

    public CountingStore Postgres { get; }

    public FakeTimeProvider Time { get; }

    public DeadLetterQueue File { get; }

    public DeadLetterQueue PostgresQueue { get; }

    /// <summary>Opens both stores and saves <paramref name="count"/> entries, or those <paramref name="make"/> gives, into each.</summary>
    public static async Task<TwoStores> CreateAsync(int count, Func<int, DeadLetterEntry>? make = null, Action<DeadLetterQueueOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pgq-diff-" + Guid.NewGuid().ToString("N")[..12]);
        var schema = PostgresDatabase.NewSchema();
        var file = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, Durability = DurabilityMode.OsBuffered });
        var postgres = new CountingStore(PostgreSqlDeadLetterStore.Open(new PostgreSqlDeadLetterStoreOptions
        {
            ConnectionString = PostgresDatabase.RequireConnectionString(),
            Schema = schema,
            QueueName = "q",
        }));
        var options = new DeadLetterQueueOptions { TimeProvider = new FakeTimeProvider(T0.AddDays(1)) };
        configure?.Invoke(options);
        var entries = Enumerable.Range(0, count).Select(make ?? Entry).ToList();
        foreach (var chunk in entries.Chunk(500))
        {
            await file.SaveAsync(chunk);
            await postgres.SaveAsync(chunk);
        }

        return new TwoStores(directory, schema, file, postgres, options);
    }

    /// <summary>
    /// A spread of entries: three operation types, five statuses (not Retrying: a queue over the file store recovers
    /// those when it opens), two error types, four messages, failure groups with every tenth one missing (an entry from
    /// before failure groups), failure times missing on every fifth.
    /// </summary>
    public static DeadLetterEntry Entry(int n)
    {
        var created = T0.AddSeconds(n);
        var status = Statuses[(n * 7 / 3) % Statuses.Length];
        return new DeadLetterEntry
        {
            Id = $"entry-{n:D6}",
            OperationType = Types[n % Types.Length],
            CreatedAt = created,
            UpdatedAt = created.AddSeconds(1),
            Error = new DeadLetterError
            {
                Type = n % 2 == 0 ? "System.TimeoutException" : "System.IO.IOException",
                Message = $"Failure {n % 4} on Order",
                Reason = (DeadLetterFailureReason)(n % 3),
            },
            FailureGroup = n % 10 == 0 ? null : $"grp-{n % 4}",
            FirstFailedAt = n % 5 == 0 ? null : created,
            LastFailedAt = n % 5 == 0 ? null : created.AddSeconds(n % 7),
            Payload = Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"),
            AttemptCount = n % 3,
            MaxAttempts = 5,
            NextAttemptAt = status == DeadLetterStatus.Pending ? T0 : null,
            Status = status,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await File.DisposeAsync();
        await PostgresQueue.DisposeAsync();
        await FileStore.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
        await PostgresDatabase.DropSchemaAsync(Schema);
    }
}
