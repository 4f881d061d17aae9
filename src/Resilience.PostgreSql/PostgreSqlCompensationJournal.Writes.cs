using Npgsql;
using NpgsqlTypes;
using Resilience.Compensation;

namespace Resilience.PostgreSql;

/// <summary>The journal's writes: registrations, claims, and the claim-fenced marks, parking and ends.</summary>
public sealed partial class PostgreSqlCompensationJournal
{
    // The claim condition of every fenced write: nobody holds the operation, or this instance does, or the holder's
    // lease ran out. Evaluated on the operation row under FOR UPDATE, so it serializes with a concurrent claim.
    private const string Free = "(claim_owner IS NULL OR claim_owner = $2 OR claim_expires_at <= $3)";

    /// <inheritdoc/>
    public ValueTask RegisterStepAsync(string operationId, int index, string handlerName, ReadOnlyMemory<byte> state)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        ArgumentException.ThrowIfNullOrEmpty(handlerName);
        return Void(RunAsync(
            static async (connection, s, token) =>
            {
                // The first named step creates the operation claimed by this instance: its scope is open here, so no
                // other instance's recovery may take it while this instance renews the claim.
                using var batch = new NpgsqlBatch(connection) { Timeout = s.journal._commandTimeout };
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"INSERT INTO {s.journal._schema.Operations} (id, claim_owner, claim_expires_at, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING")
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = s.operationId },
                        new NpgsqlParameter<string> { TypedValue = s.journal.InstanceId },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = s.journal.Expiry() },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = s.journal.Now() },
                    },
                });
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"INSERT INTO {s.journal._schema.Steps} (operation_id, step_index, handler, state) VALUES ($1, $2, $3, $4) "
                    + "ON CONFLICT (operation_id, step_index) DO UPDATE SET handler = excluded.handler, state = excluded.state")
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = s.operationId },
                        new NpgsqlParameter<int> { TypedValue = s.index },
                        new NpgsqlParameter<string> { TypedValue = s.handlerName },
                        new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = s.state, NpgsqlDbType = NpgsqlDbType.Bytea },
                    },
                });

                // A batch of several statements runs in one implicit transaction: the step never exists without its operation.
                await batch.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (journal: this, operationId, index, handlerName, state)));
    }

    /// <inheritdoc/>
    public ValueTask RegisterDelegateStepAsync(string operationId, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return Void(RunAsync(
            static async (connection, s, token) =>
            {
                using var command = s.journal.Command(connection,
                    $"INSERT INTO {s.journal._schema.Steps} (operation_id, step_index) SELECT id, $2 FROM {s.journal._schema.Operations} WHERE id = $1 "
                    + "ON CONFLICT (operation_id, step_index) DO NOTHING");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.operationId });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = s.index });
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (journal: this, operationId, index)));
    }

    /// <inheritdoc/>
    public ValueTask<CompensationJournalOperation?> TryClaimAsync(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return RunAsync(
            static async (connection, s, token) =>
            {
                // Claim and read in one transaction: what the snapshot says is compensated is what this claim starts from.
                var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    using var claim = s.journal.Command(connection,
                        $"UPDATE {s.journal._schema.Operations} SET claim_owner = $2, claim_expires_at = $4, attempts = attempts + 1 WHERE id = $1 AND {Free}",
                        transaction);
                    s.journal.AddClaimParameters(claim, s.operationId);
                    claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = s.journal.Expiry() });
                    if (await claim.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 0)
                    {
                        return null;
                    }

                    var operation = await s.journal.ReadAsync(connection, transaction, s.operationId, token).ConfigureAwait(false);
                    await transaction.CommitAsync(token).ConfigureAwait(false);
                    return operation;
                }
            },
            (journal: this, operationId));
    }

    /// <inheritdoc/>
    public async ValueTask<bool> MarkCompensatedAsync(string operationId, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        var (allowed, _) = await MarkAsync(operationId, index).ConfigureAwait(false);
        return allowed;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return Void(Fenced(operationId, $"UPDATE {_schema.Operations} SET claim_owner = NULL, claim_expires_at = NULL WHERE id = $1 AND claim_owner = $2 AND $3 = $3", null));
    }

    /// <inheritdoc/>
    public ValueTask ParkAsync(string operationId, string entryId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        return Void(Fenced(operationId, $"UPDATE {_schema.Operations} SET parked_entry_id = $4, claim_owner = NULL, claim_expires_at = NULL WHERE id = $1 AND {Free}", entryId));
    }

    /// <inheritdoc/>
    public ValueTask<bool> EndAsync(string operationId, bool completed)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return RunAsync(
            static async (connection, s, token) =>
            {
                // Deleted, or already gone (ended before; a retry whose acknowledgement was lost): done. Still there:
                // another instance holds a live claim, so this runner no longer owns the operation.
                using var command = s.journal.Command(connection,
                    $"WITH ended AS (DELETE FROM {s.journal._schema.Operations} WHERE id = $1 AND {Free} RETURNING 1) "
                    + $"SELECT (SELECT count(*) FROM ended) > 0 OR NOT EXISTS (SELECT 1 FROM {s.journal._schema.Operations} WHERE id = $1)");
                s.journal.AddClaimParameters(command, s.operationId);
                return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is true;
            },
            (journal: this, operationId));
    }

    /// <summary>
    /// Marks a step compensated under the claim fence: <c>Allowed</c> is false when another instance holds a live
    /// claim; <c>Marked</c> is true only for the write that changed the step (a step is marked once).
    /// </summary>
    internal ValueTask<(bool Allowed, bool Marked)> MarkAsync(string operationId, int index)
        => RunAsync(
            static async (connection, s, token) =>
            {
                // A lost step below the first named one has no row yet: the mark inserts it.
                using var command = s.journal.Command(connection,
                    $"WITH op AS (SELECT id FROM {s.journal._schema.Operations} WHERE id = $1 AND {Free} FOR UPDATE), "
                    + $"marked AS (INSERT INTO {s.journal._schema.Steps} AS st (operation_id, step_index, compensated) SELECT id, $4, true FROM op "
                    + "ON CONFLICT (operation_id, step_index) DO UPDATE SET compensated = true WHERE NOT st.compensated RETURNING 1) "
                    + "SELECT (SELECT count(*) FROM op), (SELECT count(*) FROM marked)");
                s.journal.AddClaimParameters(command, s.operationId);
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = s.index });
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                await reader.ReadAsync(token).ConfigureAwait(false);
                return (reader.GetInt64(0) > 0, reader.GetInt64(1) > 0);
            },
            (journal: this, operationId, index));

    private static async ValueTask Void<T>(ValueTask<T> pending) => await pending.ConfigureAwait(false);

    private ValueTask<int> Fenced(string operationId, string sql, string? extra)
        => RunAsync(
            static async (connection, s, token) =>
            {
                using var command = s.journal.Command(connection, s.sql);
                s.journal.AddClaimParameters(command, s.operationId);
                if (s.extra is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.extra });
                }

                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            (journal: this, operationId, sql, extra));

    /// <summary>$1 the operation, $2 this instance, $3 now.</summary>
    private void AddClaimParameters(NpgsqlCommand command, string operationId)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = operationId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = InstanceId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = Now() });
    }
}
