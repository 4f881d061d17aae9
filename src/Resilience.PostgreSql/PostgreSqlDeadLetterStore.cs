using System.Diagnostics;
using Npgsql;
using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

/// <summary>
/// A dead letter store in PostgreSQL, shared by every instance of a service that opens the same schema and queue name:
/// any instance can retry any entry, and operators see one queue. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Every change raises the entry's <see cref="DeadLetterEntry.Version"/> (from a sequence), and the conditional writes
/// compare it in the database (<c>UPDATE … WHERE version = …</c>), so the file store's rules hold across processes: an
/// operator's discard or purge wins over an attempt running anywhere, and nothing deleted comes back.
/// </para>
/// <para>
/// Counts are kept per status and operation type by statement triggers, so <see cref="GetCounts"/> reads a few rows
/// whatever the number of entries. Due entries are claimed under leases (<see cref="IDeadLetterLeaseStore"/>); a
/// processor over this store claims instead of scheduling what it sees. Timestamps are kept to the microsecond.
/// Commands that fail with a transient error are retried through a retry pipeline; a write whose acknowledgement was
/// lost may then report that a conditional change did not apply when it did (the version moved on either way).
/// </para>
/// </remarks>
public sealed partial class PostgreSqlDeadLetterStore : IDeadLetterStore, IDeadLetterLeaseStore
{
    // Count, PayloadBytes and SizeBytes are read before every add; a short-lived copy of the totals (refreshed by this
    // instance's own writes) saves a round trip per read without hiding this instance's changes from itself.
    private static readonly long TotalsLifetime = Stopwatch.Frequency / 5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly DeadLetterSchema _schema;
    private readonly ResiliencePipeline _retry;
    private readonly int _maxPayloadBytes;
    private readonly int _commandTimeout;
    private readonly TimeProvider _time;
    private readonly ChangeListener _listener;
    private readonly Lock _totalsLock = new();
    private Totals? _totals;
    private long _totalsReadAt;

    private PostgreSqlDeadLetterStore(PostgreSqlDeadLetterStoreOptions options, NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = new DeadLetterSchema(options.Schema, options.QueueName);
        _maxPayloadBytes = options.MaxPayloadBytes;
        _commandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _time = options.TimeProvider;
        _retry = PostgresTransientErrors.CreatePipeline(options.MaxTransientRetries, options.TimeProvider);
        LeaseDuration = options.LeaseDuration;
        PollInterval = options.PollInterval;
        InstanceId = options.InstanceId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        _listener = new ChangeListener(dataSource, _schema.Channel, options.TimeProvider);
    }

    /// <summary>Gets the name this instance's leases carry.</summary>
    public string InstanceId { get; }

    /// <inheritdoc/>
    public TimeSpan LeaseDuration { get; }

    /// <inheritdoc/>
    public TimeSpan PollInterval { get; }

    /// <summary>Gets the qualified name of the entries table (for operators' queries).</summary>
    public string TableName => _schema.Table;

    /// <inheritdoc/>
    public int Count => (int)Math.Min(int.MaxValue, ReadTotals().Entries);

    /// <inheritdoc/>
    public long PayloadBytes => ReadTotals().PayloadBytes;

    /// <inheritdoc/>
    public long SizeBytes => ReadTotals().SizeBytes;

    internal DeadLetterSchema Schema => _schema;

    /// <summary>
    /// Opens the store: connects, and creates or migrates the queue's tables (safe when several instances open at once).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The store; dispose it to release its connections.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused the schema.</exception>
    /// <exception cref="InvalidOperationException">The tables are at a newer schema version than this library knows.</exception>
    public static PostgreSqlDeadLetterStore Open(PostgreSqlDeadLetterStoreOptions options)
    {
        Validate(options);
        var owns = options.DataSource is null;
        var dataSource = options.DataSource ?? NpgsqlDataSource.Create(options.ConnectionString!);
        var store = new PostgreSqlDeadLetterStore(options, dataSource, owns);
        try
        {
            store.Run(static (connection, store) => store._schema.Migrate(connection, store._schema.LatestVersion, store._commandTimeout), store);
        }
        catch
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return store;
    }

    /// <inheritdoc/>
    public DeadLetterEntry? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Run(
            static (connection, state) =>
            {
                using var command = state.store.Command(connection, $"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {state.store._schema.Table} WHERE id = $1");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.id });
                using var reader = command.ExecuteReader();
                return reader.Read() ? DeadLetterEntryMapper.Read(reader) : null;
            },
            (store: this, id));
    }

    /// <inheritdoc/>
    public IReadOnlyList<DeadLetterEntry> GetAll()
        => Run(
            static (connection, store) =>
            {
                using var command = store.Command(connection, $"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {store._schema.Table} ORDER BY id");
                using var reader = command.ExecuteReader();
                var entries = new List<DeadLetterEntry>();
                while (reader.Read())
                {
                    entries.Add(DeadLetterEntryMapper.Read(reader));
                }

                return entries;
            },
            this);

    /// <summary>
    /// Reads one page of entries in id (creation) order after <paramref name="afterId"/>: keyset paging, so a page costs
    /// the same wherever it starts and entries added meanwhile never shift a page.
    /// </summary>
    /// <param name="afterId">The last id of the previous page, or <see langword="null"/> for the first page.</param>
    /// <param name="take">The most entries to return (1 to 10,000).</param>
    /// <param name="status">The status to match, if any.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries.</returns>
    public ValueTask<IReadOnlyList<DeadLetterEntry>> ReadPageAsync(string? afterId, int take, DeadLetterStatus? status = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(take, 10_000);
        return RunAsync(
            static async (connection, state, token) =>
            {
                var sql = $"SELECT {DeadLetterEntryMapper.SelectColumns} FROM {state.store._schema.Table} WHERE ($1::text IS NULL OR id > $1)"
                    + (state.status is null ? string.Empty : " AND status = $3") + " ORDER BY id LIMIT $2";
                using var command = state.store.Command(connection, sql);
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)state.afterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.take });
                if (state.status is { } s)
                {
                    command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)s });
                }

                using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                var entries = new List<DeadLetterEntry>(Math.Min(state.take, 1024));
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    entries.Add(DeadLetterEntryMapper.Read(reader));
                }

                return (IReadOnlyList<DeadLetterEntry>)entries;
            },
            (store: this, afterId, take, status),
            cancellationToken);
    }

    /// <inheritdoc/>
    public DeadLetterCounts GetCounts()
        => Run(
            static (connection, store) =>
            {
                using var batch = new NpgsqlBatch(connection) { Timeout = store._commandTimeout };
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT status, operation_type, entries, payload_bytes, attempts FROM {store._schema.Counts} WHERE entries <> 0"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT min(created_at) FROM {store._schema.Table} WHERE status IN (0, 1)"));
                using var reader = batch.ExecuteReader();
                var byStatus = new Dictionary<DeadLetterStatus, int>();
                var byType = new Dictionary<string, int>(StringComparer.Ordinal);
                var pendingByType = new Dictionary<string, int>(StringComparer.Ordinal);
                long total = 0, payload = 0, attempts = 0;
                while (reader.Read())
                {
                    var status = (DeadLetterStatus)reader.GetInt16(0);
                    var type = reader.GetString(1);
                    var entries = (int)reader.GetInt64(2);
                    total += entries;
                    payload += reader.GetInt64(3);
                    attempts += reader.GetInt64(4);
                    byStatus[status] = byStatus.GetValueOrDefault(status) + entries;
                    byType[type] = byType.GetValueOrDefault(type) + entries;
                    if (status == DeadLetterStatus.Pending)
                    {
                        pendingByType[type] = entries;
                    }
                }

                reader.NextResult();
                reader.Read();
                DateTimeOffset? oldest = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0);
                return new DeadLetterCounts
                {
                    Total = (int)Math.Min(int.MaxValue, total),
                    PayloadBytes = payload,
                    AttemptsMade = attempts,
                    ByStatus = byStatus,
                    ByOperationType = byType,
                    PendingByOperationType = pendingByType,
                    OldestPendingCreatedAt = oldest,
                };
            },
            this);

    /// <summary>Stops listening, waits for writes under way and releases the connections (the data source, if the store created it).</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        await DrainSavesAsync().ConfigureAwait(false);
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Validate(PostgreSqlDeadLetterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DataSource is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Set PostgreSqlDeadLetterStoreOptions.ConnectionString or PostgreSqlDeadLetterStoreOptions.DataSource.", nameof(options));
        }

        SqlIdentifier.Validate(options.Schema, 63, "PostgreSqlDeadLetterStoreOptions.Schema");
        SqlIdentifier.Validate(options.QueueName, 40, "PostgreSqlDeadLetterStoreOptions.QueueName");
        PostgreSqlOptionChecks.InRange(options.MaxPayloadBytes, 1, DeadLetterLimits.MaxPayloadBytes, "PostgreSqlDeadLetterStoreOptions.MaxPayloadBytes");
        PostgreSqlOptionChecks.InRange(options.MaxTransientRetries, 0, 100, "PostgreSqlDeadLetterStoreOptions.MaxTransientRetries");
        PostgreSqlOptionChecks.AtLeast(options.CommandTimeout, TimeSpan.FromSeconds(1), "PostgreSqlDeadLetterStoreOptions.CommandTimeout");
        PostgreSqlOptionChecks.AtLeast(options.LeaseDuration, TimeSpan.FromMilliseconds(300), "PostgreSqlDeadLetterStoreOptions.LeaseDuration");
        PostgreSqlOptionChecks.AtLeast(options.PollInterval, TimeSpan.FromMilliseconds(10), "PostgreSqlDeadLetterStoreOptions.PollInterval");
        PostgreSqlOptionChecks.Instance(options.InstanceId, options.TimeProvider, "PostgreSqlDeadLetterStoreOptions", nameof(options));
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
        => new(sql, connection, transaction) { CommandTimeout = _commandTimeout };

    private TResult Run<TResult, TState>(Func<NpgsqlConnection, TState, TResult> work, TState state)
        => _retry.Execute(
            static s =>
            {
                using var connection = s.store._dataSource.OpenConnection();
                return s.work(connection, s.state);
            },
            (store: this, work, state));

    private ValueTask<TResult> RunAsync<TResult, TState>(Func<NpgsqlConnection, TState, CancellationToken, ValueTask<TResult>> work, TState state, CancellationToken cancellationToken)
        => _retry.ExecuteAsync(
            static async (s, token) =>
            {
                var connection = await s.store._dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await s.work(connection, s.state, token).ConfigureAwait(false);
                }
            },
            (store: this, work, state),
            cancellationToken);

    private Totals ReadTotals()
    {
        lock (_totalsLock)
        {
            if (_totals is { } cached && Stopwatch.GetTimestamp() - _totalsReadAt < TotalsLifetime)
            {
                return cached;
            }
        }

        var totals = Run(
            static (connection, store) =>
            {
                using var command = store.Command(connection, store.TotalsSql);
                using var reader = command.ExecuteReader();
                reader.Read();
                return Totals.Read(reader);
            },
            this);
        SetTotals(totals);
        return totals;
    }

    private string TotalsSql => $"SELECT coalesce(sum(entries), 0)::bigint, coalesce(sum(payload_bytes), 0)::bigint, coalesce(sum(size_bytes), 0)::bigint FROM {_schema.Counts}";

    private void SetTotals(Totals? totals)
    {
        lock (_totalsLock)
        {
            _totals = totals;
            _totalsReadAt = Stopwatch.GetTimestamp();
        }
    }

    private sealed record Totals(long Entries, long PayloadBytes, long SizeBytes)
    {
        public static Totals Read(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
