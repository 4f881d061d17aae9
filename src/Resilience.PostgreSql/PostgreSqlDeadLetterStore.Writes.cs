using System.Text;
using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

public sealed partial class PostgreSqlDeadLetterStore
{
    // At most this many rows per INSERT statement (16 parameters each, under PostgreSQL's 65,535).
    private const int RowsPerStatement = 1000;

    private readonly Lock _saveLock = new();
    private List<PendingSave> _pendingSaves = [];
    private Task? _saving;

    /// <inheritdoc/>
    /// <remarks>
    /// Saves that arrive while another is being written are written together in one transaction (one multi-row
    /// <c>INSERT … ON CONFLICT</c>), so concurrent producers share round trips and commits.
    /// </remarks>
    public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var entry in entries)
        {
            CheckEntry(entry ?? throw new ArgumentException("The entries hold a null entry.", nameof(entries)));
        }

        if (entries.Count == 0)
        {
            return default;
        }

        var pending = new PendingSave(entries);
        lock (_saveLock)
        {
            _pendingSaves.Add(pending);
            _saving ??= Task.Run(WriteSavesAsync, CancellationToken.None);
        }

        return new ValueTask(cancellationToken.CanBeCanceled ? pending.Done.Task.WaitAsync(cancellationToken) : pending.Done.Task);
    }

    /// <inheritdoc/>
    public ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
    {
        CheckEntry(entry);
        return InvalidatingTotals(RunAsync(
            static async (connection, state, token) =>
            {
                var store = state.store;
                var columns = string.Join(", ", DeadLetterEntryMapper.WriteColumns);
                var values = string.Join(", ", Enumerable.Range(1, DeadLetterEntryMapper.WriteColumns.Length).Select(i => "$" + i));
                var versionParameter = DeadLetterEntryMapper.WriteColumns.Length + 1;
                using var command = store.Command(
                    connection,
                    $"UPDATE {store._schema.Table} SET ({columns}) = ({values}), version = nextval('{store._schema.VersionSequence}'), "
                    + $"lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND version = ${versionParameter} RETURNING {DeadLetterEntryMapper.SelectColumns}");
                DeadLetterEntryMapper.AddValues(command.Parameters, state.entry);
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = state.entry.Version });
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                return await reader.ReadAsync(token).ConfigureAwait(false) ? DeadLetterEntryMapper.Read(reader) : null;
            },
            (store: this, entry),
            cancellationToken));
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        await InvalidatingTotals(RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.Command(connection, $"DELETE FROM {state.store._schema.Table} WHERE id = ANY($1)");
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. state.ids] });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            (store: this, ids),
            cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return new ValueTask<int>(0);
        }

        return InvalidatingTotals(RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.Command(
                    connection,
                    $"DELETE FROM {state.store._schema.Table} e USING unnest($1::text[], $2::bigint[]) AS d(id, version) WHERE e.id = d.id AND e.version = d.version");
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. state.entries.Select(e => e.Id)] });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. state.entries.Select(e => e.Version)] });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            (store: this, entries),
            cancellationToken));
    }

    /// <summary>Forgets the cached totals before and after a write, so this instance never reads totals older than its own change.</summary>
    private async ValueTask<T> InvalidatingTotals<T>(ValueTask<T> write)
    {
        SetTotals(null);
        try
        {
            return await write.ConfigureAwait(false);
        }
        finally
        {
            SetTotals(null);
        }
    }

    private void CheckEntry(DeadLetterEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        DeadLetterLimits.Validate(entry, _maxPayloadBytes, "PostgreSqlDeadLetterStoreOptions.MaxPayloadBytes");
        DeadLetterEntryMapper.CheckStorable(entry);
    }

    private async Task WriteSavesAsync()
    {
        while (true)
        {
            List<PendingSave> batch;
            lock (_saveLock)
            {
                if (_pendingSaves.Count == 0)
                {
                    _saving = null;
                    return;
                }

                batch = _pendingSaves;
                _pendingSaves = [];
            }

#pragma warning disable CA1031 // The failure is every waiter's: each save of the batch fails with it.
            try
            {
                var totals = await RunAsync(static (connection, state, token) => state.store.InsertAsync(connection, state.batch, token), (store: this, batch), CancellationToken.None).ConfigureAwait(false);
                SetTotals(totals);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
#pragma warning restore CA1031
        }
    }

    private async ValueTask<Totals> InsertAsync(NpgsqlConnection connection, List<PendingSave> batch, CancellationToken cancellationToken)
    {
        // Later saves of the same id win, as if applied one after another (one statement may not touch a row twice).
        var latest = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            foreach (var entry in pending.Entries)
            {
                latest.Remove(entry.Id);
                latest[entry.Id] = entry;
            }
        }

        var rows = latest.Values.ToList();
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            for (var start = 0; start < rows.Count; start += RowsPerStatement)
            {
                using var command = Command(connection, string.Empty, transaction);
                command.CommandText = InsertSql(rows, start, Math.Min(RowsPerStatement, rows.Count - start), command.Parameters);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Totals totals;
            using (var read = Command(connection, TotalsSql, transaction))
            {
                using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                totals = Totals.Read(reader);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return totals;
        }
    }

    private string InsertSql(List<DeadLetterEntry> rows, int start, int count, NpgsqlParameterCollection parameters)
    {
        var columns = DeadLetterEntryMapper.WriteColumns;
        var sql = new StringBuilder(256 + (count * columns.Length * 5));
        sql.Append("INSERT INTO ").Append(_schema.Table).Append(" (").AppendJoin(", ", columns).Append(", version) VALUES ");
        for (var row = 0; row < count; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < columns.Length; column++)
            {
                sql.Append('$').Append((row * columns.Length) + column + 1).Append(", ");
            }

            sql.Append("nextval('").Append(_schema.VersionSequence).Append("'))");
            DeadLetterEntryMapper.AddValues(parameters, rows[start + row]);
        }

        sql.Append(" ON CONFLICT (id) DO UPDATE SET ");
        foreach (var column in columns.Skip(1))
        {
            sql.Append(column).Append(" = excluded.").Append(column).Append(", ");
        }

        sql.Append("version = excluded.version, lease_owner = NULL, lease_expires_at = NULL");
        return sql.ToString();
    }

    private async Task DrainSavesAsync()
    {
        Task? saving;
        lock (_saveLock)
        {
            saving = _saving;
        }

        if (saving is not null)
        {
            await saving.ConfigureAwait(false);
        }
    }

    private sealed class PendingSave(IReadOnlyList<DeadLetterEntry> entries)
    {
        public IReadOnlyList<DeadLetterEntry> Entries { get; } = entries;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
