using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

public sealed partial class PostgreSqlDeadLetterStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// One statement: the due rows are locked with <c>FOR UPDATE SKIP LOCKED</c> (so concurrent claimers split the rows
    /// instead of waiting on each other), then marked retrying, counted, re-versioned and leased to this instance.
    /// </remarks>
    public ValueTask<IReadOnlyList<DeadLetterEntry>> ClaimDueAsync(IReadOnlyCollection<string> operationTypes, int maxEntries, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationTypes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        if (operationTypes.Count == 0)
        {
            return new ValueTask<IReadOnlyList<DeadLetterEntry>>([]);
        }

        return InvalidatingTotals(RunAsync(
            static async (connection, state, token) =>
            {
                var table = state.store._schema.Table;
                using var command = state.store.Command(connection, $"""
                    WITH pending AS (
                        SELECT id FROM {table}
                        WHERE status = 0 AND operation_type = ANY($1) AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
                    expired AS (
                        SELECT id FROM {table}
                        WHERE status = 1 AND operation_type = ANY($1) AND (lease_expires_at IS NULL OR lease_expires_at <= $2)
                        ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED),
                    due AS (SELECT id FROM expired UNION SELECT id FROM pending LIMIT $3)
                    UPDATE {table} AS e
                    SET status = 1, attempt_count = e.attempt_count + 1, updated_at = $2, lease_owner = $4, lease_expires_at = $5,
                        version = nextval('{state.store._schema.VersionSequence}')
                    FROM due WHERE e.id = due.id
                    RETURNING {DeadLetterEntryMapper.SelectColumnsOf("e")}
                    """);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. state.operationTypes] });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = state.now.ToUniversalTime() });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.maxEntries });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.store.InstanceId });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = (state.now + state.store.LeaseDuration).ToUniversalTime() });
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                var claimed = new List<DeadLetterEntry>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    claimed.Add(DeadLetterEntryMapper.Read(reader));
                }

                return (IReadOnlyList<DeadLetterEntry>)claimed;
            },
            (store: this, operationTypes, maxEntries, now),
            cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryRenewLeaseAsync(DeadLetterEntry entry, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.Command(
                    connection,
                    $"UPDATE {state.store._schema.Table} SET lease_expires_at = $3 WHERE id = $1 AND version = $2 AND status = 1 AND lease_owner = $4");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.entry.Id });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = state.entry.Version });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = (state.now + state.store.LeaseDuration).ToUniversalTime() });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.store.InstanceId });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            },
            (store: this, entry, now),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<DateTimeOffset?> GetNextClaimableAtAsync(IReadOnlyCollection<string> operationTypes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationTypes);
        return RunAsync(
            static async (connection, state, token) =>
            {
                var table = state.store._schema.Table;
                using var command = state.store.Command(
                    connection,
                    $"SELECT least((SELECT min(next_attempt_at) FROM {table} WHERE status = 0 AND operation_type = ANY($1)), "
                    + $"(SELECT min(lease_expires_at) FROM {table} WHERE status = 1 AND operation_type = ANY($1)))");
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. state.operationTypes] });
                var result = await command.ExecuteScalarAsync(token).ConfigureAwait(false);
                return result is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            },
            (store: this, operationTypes),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> DeleteResolvedAsync(DateTimeOffset updatedBefore, DateTimeOffset? archivedBefore = null, CancellationToken cancellationToken = default)
    {
        return InvalidatingTotals(RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.Command(
                    connection,
                    $"DELETE FROM {state.store._schema.Table} WHERE (status IN (2, 4) AND updated_at <= $1) OR ($2::timestamptz IS NOT NULL AND status = 5 AND updated_at <= $2)");
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = state.updatedBefore.ToUniversalTime() });
                command.Parameters.Add(state.archivedBefore is { } archived
                    ? new NpgsqlParameter<DateTimeOffset> { TypedValue = archived.ToUniversalTime() }
                    : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            (store: this, updatedBefore, archivedBefore),
            cancellationToken));
    }

    /// <inheritdoc/>
    /// <remarks>The store listens on its queue's channel with one connection while anyone subscribes.</remarks>
    public IDisposable SubscribeToChanges(Action callback) => _listener.Subscribe(callback);
}
