using Npgsql;

namespace Resilience.PostgreSql;

/// <summary>
/// Options of a <see cref="PostgreSqlCompensationJournal"/>: where the database is, which table set holds the journal,
/// and how claims are leased.
/// </summary>
public sealed class PostgreSqlCompensationJournalOptions
{
    /// <summary>Gets or sets the connection string; used when <see cref="DataSource"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the data source to use (you own it; the journal does not dispose it).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets the schema of the tables: lower-case letters, digits and underscores, starting with a letter or an
    /// underscore, at most 63 characters. Created when missing.
    /// </summary>
    /// <value>The default value is <c>"resilience"</c>.</value>
    public string Schema { get; set; } = "resilience";

    /// <summary>
    /// Gets or sets the journal's name, which names its tables (<c>comp_&lt;name&gt;_operations</c>, …): lower-case
    /// letters, digits and underscores, starting with a letter or an underscore, at most 40 characters. The managers of
    /// every instance that share a name share the journal (register the same named handlers on each).
    /// </summary>
    /// <value>The default value is <c>"default"</c>.</value>
    public string Name { get; set; } = "default";

    /// <summary>
    /// Gets or sets how long a claim on an operation lasts: the instance whose scope is open, or which runs the
    /// rollback, renews its claims every third of that; an instance that stops loses them when they expire, and
    /// another instance's recovery or resume takes the operation over.
    /// </summary>
    /// <value>The default value is 30 seconds. It must be between 300 milliseconds and 1 day.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one command may run before it is cancelled (whole seconds; at least 1 second).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a command that failed with a transient error is tried again.</summary>
    /// <value>The default value is 3.</value>
    public int MaxTransientRetries { get; set; } = 3;

    /// <summary>Gets or sets the name this instance's claims carry (for operators); unique per manager.</summary>
    /// <value>The default value is <see langword="null"/>: the machine name, the process id and a random suffix.</value>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Gets or sets the time source of lease expiry and renewal, and of the transient-error retries' delays. Instances
    /// compare lease expiry with their own clocks: keep the clocks of instances sharing a journal synchronized well
    /// within <see cref="LeaseDuration"/>.
    /// </summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>; <c>UsePostgreSql</c> sets the manager's.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
