using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// The tables of one queue and the steps that create or migrate them. Opening runs every missing step in one
/// transaction under a transaction-scoped advisory lock on the schema, so instances that start together do not race:
/// the first migrates, the others wait and find nothing left to do. A step is never edited once released; a change is
/// a new step.
/// </summary>
internal sealed class DeadLetterSchema
{
    public DeadLetterSchema(string schema, string queueName)
    {
        Schema = schema;
        Component = "dlq:" + queueName;
        Table = $"{schema}.dlq_{queueName}";
        Counts = $"{schema}.dlq_{queueName}_counts";
        VersionSequence = $"{schema}.dlq_{queueName}_version";
        var channel = $"{schema}_dlq_{queueName}";
        Channel = channel.Length <= 63
            ? channel
            : "dlq_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(channel)))[..32];
        Steps = [StepV1(queueName), StepV2(queueName), StepV3(queueName), StepV4(queueName)];
    }

    /// <summary>The schema version this code writes; a database at a newer version is refused.</summary>
    public int LatestVersion => Steps.Count;

    public string Schema { get; }

    public string Component { get; }

    /// <summary>The entries (qualified name).</summary>
    public string Table { get; }

    /// <summary>Entries, bytes and attempts per status and operation type, kept by statement triggers on <see cref="Table"/>.</summary>
    public string Counts { get; }

    public string VersionSequence { get; }

    /// <summary>The LISTEN/NOTIFY channel raised when entries are added or become pending again.</summary>
    public string Channel { get; }

    /// <summary>The migration steps; step i (from 0) takes the schema from version i to i + 1.</summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>Creates or migrates the tables up to <paramref name="targetVersion"/>; returns the version found before.</summary>
    public int Migrate(NpgsqlConnection connection, int targetVersion, int commandTimeoutSeconds)
        => SchemaMigration.Migrate(connection, Schema, Component, Steps, targetVersion, commandTimeoutSeconds, $"The dead letter tables {Table}");

    // Version 1: entries, versions, counts kept by statement-level triggers (one counts update per statement, groups
    // locked in key order so concurrent writers do not deadlock on them), and the indexes the queries use.
    private string StepV1(string q) => string.Create(CultureInfo.InvariantCulture, $"""
        CREATE SEQUENCE {VersionSequence};
        CREATE TABLE {Table} (
            id text COLLATE "C" PRIMARY KEY,
            operation_type text COLLATE "C" NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            error_type text NOT NULL,
            error_message text NOT NULL,
            error_stack_trace text NULL,
            error_reason integer NOT NULL,
            payload bytea NOT NULL,
            context_keys text[] NOT NULL,
            context_values text[] NOT NULL,
            attempt_count integer NOT NULL,
            max_attempts integer NOT NULL,
            next_attempt_at timestamptz NULL,
            status smallint NOT NULL,
            version bigint NOT NULL,
            size_bytes bigint NOT NULL);
        CREATE INDEX dlq_{q}_due ON {Table} (next_attempt_at) WHERE status = 0;
        CREATE INDEX dlq_{q}_open_created ON {Table} (created_at) WHERE status IN (0, 1);
        CREATE INDEX dlq_{q}_resolved ON {Table} (updated_at) WHERE status IN (2, 4);
        CREATE INDEX dlq_{q}_status_id ON {Table} (status, id);
        CREATE TABLE {Counts} (
            status smallint NOT NULL,
            operation_type text COLLATE "C" NOT NULL,
            entries bigint NOT NULL,
            payload_bytes bigint NOT NULL,
            size_bytes bigint NOT NULL,
            attempts bigint NOT NULL,
            PRIMARY KEY (status, operation_type));
        CREATE FUNCTION {Schema}.dlq_{q}_count() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {Counts} AS c (status, operation_type, entries, payload_bytes, size_bytes, attempts)
                SELECT status, operation_type, count(*), sum(length(payload)), sum(size_bytes), sum(attempt_count)
                FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (status, operation_type) DO UPDATE SET entries = c.entries + excluded.entries,
                    payload_bytes = c.payload_bytes + excluded.payload_bytes, size_bytes = c.size_bytes + excluded.size_bytes,
                    attempts = c.attempts + excluded.attempts;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {Counts} AS c (status, operation_type, entries, payload_bytes, size_bytes, attempts)
                SELECT status, operation_type, -count(*), -sum(length(payload)), -sum(size_bytes), -sum(attempt_count)
                FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (status, operation_type) DO UPDATE SET entries = c.entries + excluded.entries,
                    payload_bytes = c.payload_bytes + excluded.payload_bytes, size_bytes = c.size_bytes + excluded.size_bytes,
                    attempts = c.attempts + excluded.attempts;
            ELSE
                INSERT INTO {Counts} AS c (status, operation_type, entries, payload_bytes, size_bytes, attempts)
                SELECT status, operation_type, sum(n), sum(p), sum(s), sum(a) FROM (
                    SELECT status, operation_type, 1 AS n, length(payload)::bigint AS p, size_bytes AS s, attempt_count::bigint AS a FROM new_rows
                    UNION ALL
                    SELECT status, operation_type, -1, -length(payload)::bigint, -size_bytes, -attempt_count::bigint FROM old_rows) d
                GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(p) <> 0 OR sum(s) <> 0 OR sum(a) <> 0 ORDER BY 1, 2
                ON CONFLICT (status, operation_type) DO UPDATE SET entries = c.entries + excluded.entries,
                    payload_bytes = c.payload_bytes + excluded.payload_bytes, size_bytes = c.size_bytes + excluded.size_bytes,
                    attempts = c.attempts + excluded.attempts;
            END IF;
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER dlq_{q}_count_insert AFTER INSERT ON {Table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.dlq_{q}_count();
        CREATE TRIGGER dlq_{q}_count_update AFTER UPDATE ON {Table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.dlq_{q}_count();
        CREATE TRIGGER dlq_{q}_count_delete AFTER DELETE ON {Table} REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.dlq_{q}_count();
        """);

    // Version 2: leased processing (owner and expiry of a claim) and the notification that wakes idle processors.
    private string StepV2(string q) => string.Create(CultureInfo.InvariantCulture, $"""
        ALTER TABLE {Table} ADD COLUMN lease_owner text NULL, ADD COLUMN lease_expires_at timestamptz NULL;
        CREATE INDEX dlq_{q}_leases ON {Table} (lease_expires_at) WHERE status = 1;
        CREATE FUNCTION {Schema}.dlq_{q}_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM pg_notify('{Channel}', '');
            ELSIF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.status = 0 AND o.status <> 0) THEN
                PERFORM pg_notify('{Channel}', '');
            END IF;
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER dlq_{q}_notify_insert AFTER INSERT ON {Table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.dlq_{q}_notify();
        CREATE TRIGGER dlq_{q}_notify_update AFTER UPDATE ON {Table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.dlq_{q}_notify();
        """);

    // Version 3: failure groups (issue 20): the fingerprint of the latest failure, first and last failure times,
    // operator replays; rows from version 2 keep NULL (the queue computes their group from the error) and 0 replays.
    // Archived rows (status 5) are deleted by retention on their own cut-off, through the index below.
    private string StepV3(string q) => string.Create(CultureInfo.InvariantCulture, $"""
        ALTER TABLE {Table} ADD COLUMN failure_group text COLLATE "C" NULL, ADD COLUMN first_failed_at timestamptz NULL,
            ADD COLUMN last_failed_at timestamptz NULL, ADD COLUMN replay_count integer NOT NULL DEFAULT 0,
            ADD COLUMN last_replayed_at timestamptz NULL;
        CREATE INDEX dlq_{q}_archived ON {Table} (updated_at) WHERE status = 5;
        """);

    // Version 4: indexes for the queries a queue pushes down (IDeadLetterQueryStore): keyset pages and counts filtered by
    // operation type or failure group (with status, in id order), and the rows still without a failure group.
    private string StepV4(string q) => string.Create(CultureInfo.InvariantCulture, $"""
        CREATE INDEX dlq_{q}_type_status_id ON {Table} (operation_type, status, id);
        CREATE INDEX dlq_{q}_group_status_id ON {Table} (failure_group, status, id);
        CREATE INDEX dlq_{q}_no_group ON {Table} (id) WHERE failure_group IS NULL;
        """);
}
