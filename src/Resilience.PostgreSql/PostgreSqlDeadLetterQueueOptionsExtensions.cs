using Npgsql;
using Resilience.PostgreSql;

namespace Resilience.DeadLetter;

/// <summary>
/// Points a dead letter queue at a PostgreSQL store (for <c>services.AddDeadLetterQueue(o =&gt; o.UsePostgreSql(…))</c>
/// or <see cref="DeadLetterQueue.Open"/>).
/// </summary>
public static class PostgreSqlDeadLetterQueueOptionsExtensions
{
    /// <summary>Keeps the queue's entries in PostgreSQL, shared by every instance that uses the same schema and queue name.</summary>
    /// <param name="options">The queue's options.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="schema">The schema of the tables.</param>
    /// <param name="queueName">The queue's name, which names its tables.</param>
    /// <param name="configure">Changes further store options (lease, poll interval, timeouts).</param>
    /// <returns>The same options.</returns>
    public static DeadLetterQueueOptions UsePostgreSql(this DeadLetterQueueOptions options, string connectionString, string schema = "resilience", string queueName = "default", Action<PostgreSqlDeadLetterStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return options.UsePostgreSql(store =>
        {
            store.ConnectionString = connectionString;
            store.Schema = schema;
            store.QueueName = queueName;
            configure?.Invoke(store);
        });
    }

    /// <summary>Keeps the queue's entries in PostgreSQL through a data source you own.</summary>
    /// <param name="options">The queue's options.</param>
    /// <param name="dataSource">The data source (not disposed by the queue).</param>
    /// <param name="schema">The schema of the tables.</param>
    /// <param name="queueName">The queue's name, which names its tables.</param>
    /// <param name="configure">Changes further store options.</param>
    /// <returns>The same options.</returns>
    public static DeadLetterQueueOptions UsePostgreSql(this DeadLetterQueueOptions options, NpgsqlDataSource dataSource, string schema = "resilience", string queueName = "default", Action<PostgreSqlDeadLetterStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return options.UsePostgreSql(store =>
        {
            store.DataSource = dataSource;
            store.Schema = schema;
            store.QueueName = queueName;
            configure?.Invoke(store);
        });
    }

    private static DeadLetterQueueOptions UsePostgreSql(this DeadLetterQueueOptions options, Action<PostgreSqlDeadLetterStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.StoreFactory = queue =>
        {
            var store = new PostgreSqlDeadLetterStoreOptions { MaxPayloadBytes = queue.MaxPayloadBytes, TimeProvider = queue.TimeProvider };
            configure(store);
            return PostgreSqlDeadLetterStore.Open(store);
        };
        return options;
    }
}
