using Npgsql;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// Runs the missing migration steps of one component (a dead letter queue, a compensation journal) in one transaction
/// under a transaction-scoped advisory lock on the schema, recording the component's version in the schema's version
/// table: instances that start together do not race (the first migrates, the others wait and find nothing to do).
/// </summary>
internal static class SchemaMigration
{
    /// <summary>Migrates <paramref name="component"/> up to <paramref name="targetVersion"/>; returns the version found before.</summary>
    public static int Migrate(NpgsqlConnection connection, string schema, string component, IReadOnlyList<string> steps, int targetVersion, int commandTimeoutSeconds, string description)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, commandTimeoutSeconds,
            $"SELECT pg_advisory_xact_lock(hashtext('resilience.schema:' || '{schema}'));"
            + $"CREATE SCHEMA IF NOT EXISTS {schema};"
            + $"CREATE TABLE IF NOT EXISTS {schema}.resilience_schema_versions (component text PRIMARY KEY, version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now());");
        int found;
        using (var read = new NpgsqlCommand($"SELECT version FROM {schema}.resilience_schema_versions WHERE component = $1", connection, transaction))
        {
            read.CommandTimeout = commandTimeoutSeconds;
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
            found = read.ExecuteScalar() is int v ? v : 0;
        }

        if (found > steps.Count)
        {
            throw new InvalidOperationException(
                $"{description} are at schema version {found}, newer than this library's {steps.Count}; upgrade Resilience.PostgreSql on this instance.");
        }

        for (var step = found; step < targetVersion; step++)
        {
            Execute(connection, transaction, commandTimeoutSeconds, steps[step]);
        }

        if (targetVersion > found)
        {
            using var write = new NpgsqlCommand(
                $"INSERT INTO {schema}.resilience_schema_versions (component, version) VALUES ($1, $2) "
                + "ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = now()",
                connection,
                transaction);
            write.CommandTimeout = commandTimeoutSeconds;
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
            write.Parameters.Add(new NpgsqlParameter<int> { TypedValue = targetVersion });
            write.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, int timeout, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = timeout };
        command.ExecuteNonQuery();
    }
}
