using System.Globalization;
using System.Text;
using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

/// <summary>The queries a queue pushes down (<see cref="IDeadLetterQueryStore"/>): each is one statement over the indexes.</summary>
public sealed partial class PostgreSqlDeadLetterStore : IDeadLetterQueryStore
{
    private const int FillPageSize = 500;

    /// <inheritdoc/>
    public ValueTask<DeadLetterEntry?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.Command(connection, $"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {state.store._schema.Table} WHERE id = $1");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.id });
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                return await reader.ReadAsync(token).ConfigureAwait(false) ? DeadLetterEntryMapper.Read(reader) : null;
            },
            (store: this, id),
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One <c>SELECT … WHERE … ORDER BY id LIMIT</c>; with <see cref="DeadLetterQuery.AfterId"/> it starts at that key in the index.</remarks>
    public ValueTask<IReadOnlyList<DeadLetterEntry>> QueryPageAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take, CancellationToken cancellationToken = default)
    {
        CheckPage(criteria, statuses, skip, take);
        return RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.QueryPageCommand(connection, state.criteria, state.statuses, state.skip, state.take);
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                var entries = new List<DeadLetterEntry>(Math.Min(state.take, 1024));
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    entries.Add(DeadLetterEntryMapper.Read(reader));
                }

                return (IReadOnlyList<DeadLetterEntry>)entries;
            },
            (store: this, criteria, statuses, skip, take),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> CountAsync(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(statuses);
        return RunAsync(
            static async (connection, state, token) =>
            {
                using var command = state.store.CountCommand(connection, state.criteria, state.statuses);
                var count = (long)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
                return (int)Math.Min(int.MaxValue, count);
            },
            (store: this, criteria, statuses),
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One statement: the matching rows grouped in the database (count, earliest and latest failure), joined with each
    /// group's latest row (<c>DISTINCT ON</c>) for its error; only one row per group comes back.
    /// </remarks>
    public ValueTask<IReadOnlyList<DeadLetterGroupSummary>> SummarizeAsync(DeadLetterGrouping groupBy, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(statuses);
        return RunAsync(
            static async (connection, state, token) =>
            {
                var key = state.groupBy switch
                {
                    DeadLetterGrouping.OperationType => "operation_type",
                    DeadLetterGrouping.Reason => "error_reason::text",
                    _ => "coalesce(failure_group, '')",
                };
                using var command = state.store.Command(connection, string.Empty);
                var sql = new StringBuilder(
                    $"WITH m AS (SELECT {key} AS key, id, operation_type, error_type, error_message, "
                    + $"coalesce(first_failed_at, created_at) AS first_at, coalesce(last_failed_at, updated_at) AS last_at FROM {state.store._schema.Table}");
                DeadLetterFilterSql.AppendWhere(sql, command.Parameters, state.criteria, state.statuses);
                sql.Append("""
                    ),
                    g AS (SELECT key, count(*) AS n, min(first_at) AS first_at, max(last_at) AS last_at FROM m GROUP BY key),
                    l AS (SELECT DISTINCT ON (key) key, operation_type, error_type, error_message FROM m ORDER BY key, last_at DESC, id)
                    SELECT g.key, g.n, g.first_at, g.last_at, l.operation_type, l.error_type, l.error_message FROM g JOIN l ON l.key = g.key
                    """);
                command.CommandText = sql.ToString();
                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                var groups = new List<DeadLetterGroupSummary>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    var raw = reader.GetString(0);
                    groups.Add(new DeadLetterGroupSummary
                    {
                        Key = state.groupBy == DeadLetterGrouping.Reason ? ((DeadLetterFailureReason)int.Parse(raw, CultureInfo.InvariantCulture)).ToString() : raw,
                        Count = (int)Math.Min(int.MaxValue, reader.GetInt64(1)),
                        FirstFailedAt = reader.GetFieldValue<DateTimeOffset>(2),
                        LastFailedAt = reader.GetFieldValue<DateTimeOffset>(3),
                        OperationType = reader.GetString(4),
                        ErrorType = reader.GetString(5),
                        LatestMessage = reader.GetString(6),
                    });
                }

                return (IReadOnlyList<DeadLetterGroupSummary>)groups;
            },
            (store: this, groupBy, criteria, statuses),
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Pages through the rows without a group (a partial index keeps finding none cheap) and sets each page's groups in
    /// one <c>UPDATE … FROM unnest(…)</c> that skips a row given a group meanwhile. The version is not raised: the group
    /// is what the queue computes from the row anyway, so an attempt holding the row's version may still write it.
    /// </remarks>
    public async ValueTask<int> FillMissingFailureGroupsAsync(Func<DeadLetterEntry, string> failureGroup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failureGroup);
        var filled = 0;
        string? after = null;
        while (true)
        {
            var page = await RunAsync(
                static async (connection, state, token) =>
                {
                    using var command = state.store.MissingGroupsCommand(connection, state.after);
                    using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                    var entries = new List<DeadLetterEntry>();
                    while (await reader.ReadAsync(token).ConfigureAwait(false))
                    {
                        entries.Add(DeadLetterEntryMapper.Read(reader));
                    }

                    return entries;
                },
                (store: this, after),
                cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return filled;
            }

            var (ids, groups) = GroupsOf(page, failureGroup);
            filled += await RunAsync(
                static async (connection, state, token) =>
                {
                    using var command = state.store.SetGroupsCommand(connection, state.ids, state.groups);
                    return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                },
                (store: this, ids, groups),
                cancellationToken).ConfigureAwait(false);
            if (page.Count < FillPageSize)
            {
                return filled;
            }

            after = ids[^1];
        }
    }

    private static void CheckPage(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(statuses);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(take, 10_000);
    }

    private static (string[] Ids, string[] Groups) GroupsOf(List<DeadLetterEntry> page, Func<DeadLetterEntry, string> failureGroup)
        => ([.. page.Select(entry => entry.Id)], [.. page.Select(failureGroup)]);

    // The statements are built once here, so the synchronous and asynchronous forms run the same SQL.
    private NpgsqlCommand QueryPageCommand(NpgsqlConnection connection, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take)
    {
        var command = Command(connection, string.Empty);
        var sql = new StringBuilder($"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {_schema.Table}");
        DeadLetterFilterSql.AppendWhere(sql, command.Parameters, criteria, statuses);
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY id LIMIT {take}");
        if (skip > 0)
        {
            sql.Append(CultureInfo.InvariantCulture, $" OFFSET {skip}");
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private NpgsqlCommand CountCommand(NpgsqlConnection connection, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses)
    {
        var command = Command(connection, string.Empty);
        var sql = new StringBuilder($"SELECT count(*) FROM {_schema.Table}");
        DeadLetterFilterSql.AppendWhere(sql, command.Parameters, criteria, statuses);
        command.CommandText = sql.ToString();
        return command;
    }

    private NpgsqlCommand MissingGroupsCommand(NpgsqlConnection connection, string? after)
    {
        var command = Command(
            connection,
            $"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {_schema.Table} WHERE failure_group IS NULL AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT {FillPageSize}");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return command;
    }

    private NpgsqlCommand SetGroupsCommand(NpgsqlConnection connection, string[] ids, string[] groups)
    {
        var command = Command(
            connection,
            $"UPDATE {_schema.Table} AS e SET failure_group = u.g FROM unnest($1::text[], $2::text[]) AS u(id, g) WHERE e.id = u.id AND e.failure_group IS NULL");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = groups });
        return command;
    }
}
