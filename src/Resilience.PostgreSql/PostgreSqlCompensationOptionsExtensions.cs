using Npgsql;
using Resilience.PostgreSql;

namespace Resilience.Compensation;

/// <summary>
/// Points a compensation manager's journal at PostgreSQL (for <c>services.AddCompensationManager(o =&gt; o.UsePostgreSql(…))</c>
/// or <c>new CompensationManager(options)</c>), shared by every instance that uses the same schema and name.
/// </summary>
public static class PostgreSqlCompensationOptionsExtensions
{
    /// <summary>Keeps the manager's journal in PostgreSQL, shared by every instance that uses the same schema and name.</summary>
    /// <param name="options">The manager's options.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="schema">The schema of the tables.</param>
    /// <param name="name">The journal's name, which names its tables.</param>
    /// <param name="configure">Changes further journal options (lease, timeouts, instance id).</param>
    /// <returns>The same options.</returns>
    public static CompensationOptions UsePostgreSql(this CompensationOptions options, string connectionString, string schema = "resilience", string name = "default", Action<PostgreSqlCompensationJournalOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return options.UsePostgreSql(journal =>
        {
            journal.ConnectionString = connectionString;
            journal.Schema = schema;
            journal.Name = name;
            configure?.Invoke(journal);
        });
    }

    /// <summary>Keeps the manager's journal in PostgreSQL through a data source you own.</summary>
    /// <param name="options">The manager's options.</param>
    /// <param name="dataSource">The data source (not disposed by the journal).</param>
    /// <param name="schema">The schema of the tables.</param>
    /// <param name="name">The journal's name, which names its tables.</param>
    /// <param name="configure">Changes further journal options.</param>
    /// <returns>The same options.</returns>
    public static CompensationOptions UsePostgreSql(this CompensationOptions options, NpgsqlDataSource dataSource, string schema = "resilience", string name = "default", Action<PostgreSqlCompensationJournalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return options.UsePostgreSql(journal =>
        {
            journal.DataSource = dataSource;
            journal.Schema = schema;
            journal.Name = name;
            configure?.Invoke(journal);
        });
    }

    private static CompensationOptions UsePostgreSql(this CompensationOptions options, Action<PostgreSqlCompensationJournalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.JournalFactory = manager =>
        {
            var journal = new PostgreSqlCompensationJournalOptions { TimeProvider = manager.TimeProvider };
            configure(journal);
            return PostgreSqlCompensationJournal.Open(journal);
        };
        return options;
    }
}
