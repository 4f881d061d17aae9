using Npgsql;
using Resilience.Compensation;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

/// <summary>
/// A compensation journal in PostgreSQL, shared by the <see cref="CompensationManager"/>s of every instance that opens
/// the same schema and name: an operation one instance started and did not finish is rolled back by exactly one
/// instance, whichever resumes or recovers it first once its owner is gone. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Every operation row carries a claim: the owner's instance id and a lease expiry. The instance that registers an
/// operation's first named step claims it (its scope is open), and the instance that rolls it back claims it for the
/// walk; each renews its claims every third of <see cref="LeaseDuration"/> while it is open. Another instance takes a
/// claim only when it is released or expired (a conditional update, decided by the row lock), so a crashed instance's
/// operations pass to exactly one other instance after the lease.
/// </para>
/// <para>
/// Writes of a runner are fenced by the claim: marking a step compensated, parking and ending take the operation row
/// lock and apply only when no other instance holds a live claim, so a runner that stalled past its lease and was taken
/// over learns it (the manager stops its walk) instead of racing the new owner. A step is marked compensated once.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlCompensationJournal : ICompensationJournal
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly CompensationSchema _schema;
    private readonly ResiliencePipeline _retry;
    private readonly int _commandTimeout;
    private readonly TimeProvider _time;
    private readonly Lock _renewLock = new();
    private ITimer? _renewTimer;
    private Task _renewal = Task.CompletedTask;

    private PostgreSqlCompensationJournal(PostgreSqlCompensationJournalOptions options, NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = new CompensationSchema(options.Schema, options.Name);
        _commandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _time = options.TimeProvider;
        _retry = PostgresTransientErrors.CreatePipeline(options.MaxTransientRetries, options.TimeProvider);
        LeaseDuration = options.LeaseDuration;
        InstanceId = options.InstanceId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>Gets the name this instance's claims carry.</summary>
    public string InstanceId { get; }

    /// <summary>Gets how long a claim lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <summary>Gets the qualified name of the operations table (for operators' queries).</summary>
    public string OperationsTableName => _schema.Operations;

    /// <summary>Gets the qualified name of the steps table.</summary>
    public string StepsTableName => _schema.Steps;

    /// <summary>
    /// Opens the journal: connects, creates or migrates its tables (safe when several instances open at once) and
    /// starts renewing this instance's claims.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The journal; the manager that uses it disposes it.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or refused the schema.</exception>
    /// <exception cref="InvalidOperationException">The tables are at a newer schema version than this library knows.</exception>
    public static PostgreSqlCompensationJournal Open(PostgreSqlCompensationJournalOptions options)
    {
        Validate(options);
        var owns = options.DataSource is null;
        var dataSource = options.DataSource ?? NpgsqlDataSource.Create(options.ConnectionString!);
        var journal = new PostgreSqlCompensationJournal(options, dataSource, owns);
        try
        {
            journal._retry.Execute(
                static j =>
                {
                    using var connection = j._dataSource.OpenConnection();
                    return j._schema.Migrate(connection, j._schema.LatestVersion, j._commandTimeout);
                },
                journal);
        }
        catch
        {
            journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        var period = options.LeaseDuration / 3;
        journal._renewTimer = options.TimeProvider.CreateTimer(static j => ((PostgreSqlCompensationJournal)j!).StartRenewal(), journal, period, period);
        return journal;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<CompensationJournalOperation>> GetUnfinishedAsync()
        => RunAsync(
            static async (connection, journal, token) =>
            {
                using var batch = new NpgsqlBatch(connection) { Timeout = journal._commandTimeout };
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT id, parked_entry_id FROM {journal._schema.Operations} ORDER BY created_at, id"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT operation_id, step_index, handler, state, compensated FROM {journal._schema.Steps} ORDER BY operation_id, step_index"));
                using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
                var operations = new List<OperationReader>();
                var byId = new Dictionary<string, OperationReader>(StringComparer.Ordinal);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    var operation = new OperationReader(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                    operations.Add(operation);
                    byId[operation.Id] = operation;
                }

                await reader.NextResultAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    // A step of an operation inserted after the first statement's snapshot is left for the next read.
                    if (byId.TryGetValue(reader.GetString(0), out var operation))
                    {
                        operation.AddStep(reader, 1);
                    }
                }

                return (IReadOnlyList<CompensationJournalOperation>)[.. operations.Select(o => o.ToSnapshot())];
            },
            this);

    /// <inheritdoc/>
    public ValueTask<CompensationJournalOperation?> FindAsync(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return RunAsync(static (connection, state, token) => state.journal.ReadAsync(connection, null, state.operationId, token), (journal: this, operationId));
    }

    /// <summary>Stops renewing this instance's claims (they expire) and releases the connections (the data source, if the journal created it).</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        Task renewal;
        lock (_renewLock)
        {
            _renewTimer?.Dispose();
            _renewTimer = null;
            renewal = _renewal;
        }

        await renewal.ConfigureAwait(false);
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gets the renewal the timer started last (tests await it after advancing their clock).</summary>
    internal Task LastRenewal
    {
        get
        {
            lock (_renewLock)
            {
                return _renewal;
            }
        }
    }

    /// <summary>Extends every claim this instance holds by <see cref="LeaseDuration"/> from now; returns how many.</summary>
    internal ValueTask<int> RenewClaimsAsync()
        => RunAsync(
            static async (connection, journal, token) =>
            {
                using var command = journal.Command(connection, $"UPDATE {journal._schema.Operations} SET claim_expires_at = $2 WHERE claim_owner = $1");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = journal.InstanceId });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = journal.Expiry() });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            this);

    private static void Validate(PostgreSqlCompensationJournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DataSource is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Set PostgreSqlCompensationJournalOptions.ConnectionString or PostgreSqlCompensationJournalOptions.DataSource.", nameof(options));
        }

        SqlIdentifier.Validate(options.Schema, 63, "PostgreSqlCompensationJournalOptions.Schema");
        SqlIdentifier.Validate(options.Name, 40, "PostgreSqlCompensationJournalOptions.Name");
        PostgreSqlOptionChecks.InRange(options.MaxTransientRetries, 0, 100, "PostgreSqlCompensationJournalOptions.MaxTransientRetries");

        PostgreSqlOptionChecks.AtLeast(options.CommandTimeout, TimeSpan.FromSeconds(1), "PostgreSqlCompensationJournalOptions.CommandTimeout");
        PostgreSqlOptionChecks.AtLeast(options.LeaseDuration, TimeSpan.FromMilliseconds(300), "PostgreSqlCompensationJournalOptions.LeaseDuration");
        PostgreSqlOptionChecks.Instance(options.InstanceId, options.TimeProvider, "PostgreSqlCompensationJournalOptions", nameof(options));
    }

    private void StartRenewal()
    {
        lock (_renewLock)
        {
            // One renewal at a time; a tick that finds one under way (a slow database) skips.
            if (_renewTimer is null || !_renewal.IsCompleted)
            {
                return;
            }

            _renewal = RenewQuietlyAsync();
        }
    }

    private async Task RenewQuietlyAsync()
    {
        try
        {
            await RenewClaimsAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed renewal is tried again at the next tick; a claim that lapses meanwhile passes to another instance, which is what a lease is for.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private DateTimeOffset Now() => _time.GetUtcNow();

    private DateTimeOffset Expiry() => _time.GetUtcNow() + LeaseDuration;

    /// <summary>Reads one operation (in <paramref name="transaction"/>, when given); <see langword="null"/> when unknown.</summary>
    private async ValueTask<CompensationJournalOperation?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string operationId, CancellationToken token)
    {
        using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT parked_entry_id FROM {_schema.Operations} WHERE id = $1") { Parameters = { new NpgsqlParameter<string> { TypedValue = operationId } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT step_index, handler, state, compensated FROM {_schema.Steps} WHERE operation_id = $1 ORDER BY step_index") { Parameters = { new NpgsqlParameter<string> { TypedValue = operationId } } });
        using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
        if (!await reader.ReadAsync(token).ConfigureAwait(false))
        {
            return null;
        }

        var operation = new OperationReader(operationId, reader.IsDBNull(0) ? null : reader.GetString(0));
        await reader.NextResultAsync(token).ConfigureAwait(false);
        while (await reader.ReadAsync(token).ConfigureAwait(false))
        {
            operation.AddStep(reader, 0);
        }

        return operation.ToSnapshot();
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
        => new(sql, connection, transaction) { CommandTimeout = _commandTimeout };

    private ValueTask<TResult> RunAsync<TResult, TState>(Func<NpgsqlConnection, TState, CancellationToken, ValueTask<TResult>> work, TState state)
        => _retry.ExecuteAsync(
            static async (s, token) =>
            {
                var connection = await s.journal._dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await s.work(connection, s.state, token).ConfigureAwait(false);
                }
            },
            (journal: this, work, state),
            CancellationToken.None);

    /// <summary>Collects one operation's rows into a snapshot.</summary>
    private sealed class OperationReader(string id, string? parkedEntryId)
    {
        private readonly Dictionary<int, CompensationJournalStep> _steps = [];
        private readonly HashSet<int> _delegates = [];
        private readonly HashSet<int> _compensated = [];

        public string Id { get; } = id;

        /// <summary>Adds the step at the reader's row: index, handler, state and compensated from column <paramref name="first"/>.</summary>
        public void AddStep(NpgsqlDataReader reader, int first)
        {
            var index = reader.GetInt32(first);
            if (reader.IsDBNull(first + 1))
            {
                _delegates.Add(index);
            }
            else
            {
                _steps[index] = new CompensationJournalStep(reader.GetString(first + 1), reader.IsDBNull(first + 2) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(first + 2));
            }

            if (reader.GetBoolean(first + 3))
            {
                _compensated.Add(index);
            }
        }

        public CompensationJournalOperation ToSnapshot() => new(Id, _steps, _delegates, _compensated, parkedEntryId);
    }
}
