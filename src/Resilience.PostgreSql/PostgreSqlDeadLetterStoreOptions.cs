using Npgsql;

namespace Resilience.PostgreSql;

/// <summary>
/// Options of a <see cref="PostgreSqlDeadLetterStore"/>: where the database is, which table set holds the queue, and
/// how claims are leased.
/// </summary>
public sealed class PostgreSqlDeadLetterStoreOptions
{
    /// <summary>Gets or sets the connection string; used when <see cref="DataSource"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the data source to use (you own it; the store does not dispose it).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets the schema of the tables: lower-case letters, digits and underscores, starting with a letter or an
    /// underscore, at most 63 characters. Created when missing.
    /// </summary>
    /// <value>The default value is <c>"resilience"</c>.</value>
    public string Schema { get; set; } = "resilience";

    /// <summary>
    /// Gets or sets the queue's name, which names its tables (<c>dlq_&lt;name&gt;</c>, …): lower-case letters, digits and
    /// underscores, starting with a letter or an underscore, at most 40 characters. Instances that share a name share
    /// the queue.
    /// </summary>
    /// <value>The default value is <c>"default"</c>.</value>
    public string QueueName { get; set; } = "default";

    /// <summary>Gets or sets the largest payload accepted, in bytes (at most <c>DeadLetterLimits.MaxPayloadBytes</c>).</summary>
    /// <value>The default value is 1 MiB.</value>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets how long one command may run before it is cancelled (whole seconds; at least 1 second).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a command that failed with a transient error (serialization failure, deadlock, lost connection, …) is tried again.</summary>
    /// <value>The default value is 3.</value>
    public int MaxTransientRetries { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long a processor's claim leases an entry; the processor renews it every third of that while the
    /// handler runs, and another instance takes the entry over once it expires.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often an idle processor looks for due entries when no notification wakes it.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the name this instance's leases carry (for operators); unique per process.</summary>
    /// <value>The default value is <see langword="null"/>: the machine name, the process id and a random suffix.</value>
    public string? InstanceId { get; set; }

    /// <summary>Gets or sets the time source of the transient-error retries' delays.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
