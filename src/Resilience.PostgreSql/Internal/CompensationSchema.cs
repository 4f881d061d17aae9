using System.Globalization;
using Npgsql;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// The tables of one compensation journal (<c>comp_&lt;name&gt;_operations</c> and <c>comp_&lt;name&gt;_steps</c>) and
/// the steps that create or migrate them, recorded as component <c>compensation:&lt;name&gt;</c> in the schema's
/// version table beside the dead letter queues. A step is never edited once released; a change is a new step.
/// </summary>
internal sealed class CompensationSchema
{
    public CompensationSchema(string schema, string name)
    {
        Schema = schema;
        Component = "compensation:" + name;
        Operations = $"{schema}.comp_{name}_operations";
        Steps = $"{schema}.comp_{name}_steps";
        Migrations = [StepV1(name)];
    }

    public int LatestVersion => Migrations.Count;

    public string Schema { get; }

    public string Component { get; }

    /// <summary>One row per unfinished operation: its claim (owner and lease expiry), attempts and parked entry.</summary>
    public string Operations { get; }

    /// <summary>One row per step: a named step's handler and state, a delegate step's position, and whether it was compensated.</summary>
    public string Steps { get; }

    public IReadOnlyList<string> Migrations { get; }

    public int Migrate(NpgsqlConnection connection, int targetVersion, int commandTimeoutSeconds)
        => SchemaMigration.Migrate(connection, Schema, Component, Migrations, targetVersion, commandTimeoutSeconds, $"The compensation journal tables {Operations}");

    // Version 1. A step row with no handler is a delegate step (or a lost step acknowledged as undone by hand). Steps
    // go with their operation (ON DELETE CASCADE), so ending an operation is one delete of its row.
    private string StepV1(string n) => string.Create(CultureInfo.InvariantCulture, $"""
        CREATE TABLE {Operations} (
            id text COLLATE "C" PRIMARY KEY,
            claim_owner text NULL,
            claim_expires_at timestamptz NULL,
            attempts integer NOT NULL DEFAULT 0,
            parked_entry_id text NULL,
            created_at timestamptz NOT NULL);
        CREATE INDEX comp_{n}_claims ON {Operations} (claim_owner) WHERE claim_owner IS NOT NULL;
        CREATE TABLE {Steps} (
            operation_id text COLLATE "C" NOT NULL REFERENCES {Operations} (id) ON DELETE CASCADE,
            step_index integer NOT NULL,
            handler text NULL,
            state bytea NULL,
            compensated boolean NOT NULL DEFAULT false,
            PRIMARY KEY (operation_id, step_index));
        """);
}
