using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.DeadLetter.Internal;
using Resilience.Internal;
using Resilience.Telemetry;

namespace Resilience.DeadLetter;

/// <summary>
/// A queue of failed operations kept in a store (durable on disk by default), retried automatically by its
/// <see cref="Processor"/> and open to inspection, replay and purge. Thread-safe.
/// </summary>
/// <remarks>
/// An entry is visible (and its <c>AddAsync</c> completes) only once the store has made it durable. Handlers, one per
/// operation type, are what the processor and <see cref="ReplayAsync(string, CancellationToken)"/> run.
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "'Dead letter queue' is the established name of the concept.")]
public sealed partial class DeadLetterQueue : IAsyncDisposable
{
    private readonly IDeadLetterStore _store;
    private readonly bool _ownsStore;
    private readonly DeadLetterQueueOptions _options;
    private readonly DeadLetterId _ids;
    private static readonly TelemetryEvent[] Events =
    [
        new("OnEnqueued", "resilience.dead_letter.enqueued", "{entry}", "Entries added to a dead letter queue."),
        new("OnRecovered", "resilience.dead_letter.recovered", "{entry}", "Dead letters recovered by a retry."),
        new("OnExhausted", "resilience.dead_letter.exhausted", "{entry}", "Dead letters that ran out of attempts."),
    ];

    private readonly ResilienceTelemetry _telemetry = new(null, "DeadLetterQueue", events: Events);
    private readonly SemaphoreSlim _admission = new(1, 1);

    // Damaged entries a listing has logged: a polled page logs each once. Bounded, since a badly damaged file could
    // hold many; past the bound they are logged every time again.
    private readonly HashSet<string> _damagedLogged = new(StringComparer.Ordinal);
    private const int MaxDamagedLogged = 10_000;
    private int _reservedEntries;
    private long _reservedBytes;

    private DeadLetterQueue(IDeadLetterStore store, bool ownsStore, DeadLetterQueueOptions options)
    {
        _store = store;
        _ownsStore = ownsStore;
        _options = options;
        _ids = new DeadLetterId(options.TimeProvider);
        Processor = new DeadLetterProcessor(this, options);
        ObserveSize();
    }

    /// <summary>Gets the processor that retries due entries; call <see cref="DeadLetterProcessor.Start"/> to run it.</summary>
    public DeadLetterProcessor Processor { get; }

    /// <summary>Gets the store behind the queue.</summary>
    public IDeadLetterStore Store => _store;

    internal DeadLetterQueueOptions Options => _options;

    internal ResilienceTelemetry Telemetry => _telemetry;

    /// <summary>
    /// Opens a queue: a durable <see cref="FileDeadLetterStore"/> in <see cref="DeadLetterQueueOptions.Directory"/>,
    /// or an in-memory store when no directory is set; the store <see cref="DeadLetterQueueOptions.StoreFactory"/>
    /// creates when that is set.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The queue; dispose it to stop the processor, flush and release the directory.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="IOException">The directory cannot be used or is locked by another process.</exception>
    public static DeadLetterQueue Open(DeadLetterQueueOptions options)
    {
        Validate(options);
        IDeadLetterStore store = options.StoreFactory is { } factory
            ? factory(options) ?? throw new InvalidOperationException("DeadLetterQueueOptions.StoreFactory returned null.")
            : options.Directory is null
            ? new InMemoryDeadLetterStore()
            : FileDeadLetterStore.Open(new FileDeadLetterStoreOptions
            {
                Directory = options.Directory,
                Durability = options.Durability,
                CorruptionHandling = options.CorruptionHandling,
                MaxPayloadBytes = options.MaxPayloadBytes,
                TimeProvider = options.TimeProvider,
            });
        var queue = new DeadLetterQueue(store, ownsStore: true, options);
        try
        {
            queue.Processor.RecoverInterruptedAttempts();
        }
        catch
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return queue;
    }

    /// <summary>
    /// Creates a queue over a store you own (for example a custom database store); disposing the queue does not dispose the store.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options (the storage options in it are ignored).</param>
    /// <returns>The queue.</returns>
    public static DeadLetterQueue Create(IDeadLetterStore store, DeadLetterQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        Validate(options);
        var queue = new DeadLetterQueue(store, ownsStore: false, options);
        queue.Processor.RecoverInterruptedAttempts();
        return queue;
    }

    /// <summary>
    /// Adds a failed operation with a raw payload. Completes once the entry is durable.
    /// </summary>
    /// <param name="operationType">Selects the handler that will retry it.</param>
    /// <param name="payload">What the handler needs to run the operation again.</param>
    /// <param name="exception">The failure.</param>
    /// <param name="reason">Why the operation is dead-lettered.</param>
    /// <param name="context">Free-form context (correlation ids, ...); redacted before it is stored.</param>
    /// <param name="cancellationToken">Cancels waiting; the entry may still be added.</param>
    /// <returns>The stored entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationType"/> is null or empty.</exception>
    /// <exception cref="DeadLetterRejectedException">The payload is over <see cref="DeadLetterQueueOptions.MaxPayloadBytes"/> (reason <see cref="DeadLetterFailureReason.Oversized"/>); nothing is written.</exception>
    /// <exception cref="DeadLetterQueueFullException">The queue is full and the overflow policy cannot make room.</exception>
    /// <exception cref="DeadLetterStoreFaultedException">The store failed to write; nothing was acknowledged.</exception>
    public ValueTask<DeadLetterEntry> AddAsync(
        string operationType,
        ReadOnlyMemory<byte> payload,
        Exception exception,
        DeadLetterFailureReason reason = DeadLetterFailureReason.MaxRetriesExceeded,
        IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return AddAsync(operationType, payload, DeadLetterError.FromException(exception, reason), context, cancellationToken);
    }

    /// <summary>
    /// Adds a failed operation whose payload is serialized to JSON with <paramref name="typeInfo"/> (from your
    /// <c>JsonSerializerContext</c>, so it stays trim- and AOT-safe). Completes once the entry is durable.
    /// </summary>
    /// <typeparam name="TPayload">The payload type.</typeparam>
    /// <param name="operationType">Selects the handler that will retry it.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="typeInfo">The payload's JSON metadata.</param>
    /// <param name="exception">The failure.</param>
    /// <param name="context">Free-form context; redacted before it is stored.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The stored entry.</returns>
    public ValueTask<DeadLetterEntry> AddAsync<TPayload>(
        string operationType,
        TPayload payload,
        JsonTypeInfo<TPayload> typeInfo,
        Exception exception,
        IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(exception);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, typeInfo);
        return AddAsync(operationType, bytes, DeadLetterError.FromException(exception), context, cancellationToken);
    }

    /// <summary>
    /// Adds a failed operation with an error you describe. Completes once the entry is durable.
    /// </summary>
    /// <param name="operationType">Selects the handler that will retry it.</param>
    /// <param name="payload">What the handler needs to run the operation again.</param>
    /// <param name="error">The failure.</param>
    /// <param name="context">Free-form context; redacted before it is stored.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The stored entry.</returns>
    public async ValueTask<DeadLetterEntry> AddAsync(
        string operationType,
        ReadOnlyMemory<byte> payload,
        DeadLetterError error,
        IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        ArgumentNullException.ThrowIfNull(error);
        if (payload.Length > _options.MaxPayloadBytes)
        {
            throw new DeadLetterRejectedException(
                $"The payload of operation '{operationType}' is {payload.Length} bytes; the queue accepts at most {_options.MaxPayloadBytes} (DeadLetterQueueOptions.MaxPayloadBytes).",
                DeadLetterFailureReason.Oversized);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = _options.TimeProvider.GetUtcNow();
        var redactedError = Redact(error);
        var entry = new DeadLetterEntry
        {
            Id = _ids.Next(),
            OperationType = operationType,
            CreatedAt = now,
            UpdatedAt = now,
            Error = redactedError,
            FailureGroup = _options.Fingerprinter.Compute(operationType, redactedError),
            FirstFailedAt = now,
            LastFailedAt = now,
            Payload = payload,
            Context = Redact(context),
            MaxAttempts = _options.MaxAttempts,
            NextAttemptAt = now + Processor.Backoff(0),
            Status = DeadLetterStatus.Pending,
        };
        if (_options.RedactEntry is { } redactEntry)
        {
            var redacted = redactEntry(entry) ?? throw new InvalidOperationException("DeadLetterQueueOptions.RedactEntry returned null.");
            if (!string.Equals(redacted.Id, entry.Id, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("DeadLetterQueueOptions.RedactEntry must not change the entry's id.");
            }

            entry = redacted;
        }

        DeadLetterLimits.Validate(entry, _options.MaxPayloadBytes, "DeadLetterQueueOptions.MaxPayloadBytes");

        // Concurrent adds reserve their room with interlocked counters, so they reach the store together and share
        // its fsyncs; only an add that finds the queue (nearly) full takes the admission lock to evict or refuse.
        var size = DeadLetterLimits.EncodedSize(entry);
        var reservedEntries = Interlocked.Increment(ref _reservedEntries);
        var reservedBytes = Interlocked.Add(ref _reservedBytes, size);
        Task<DeadLetterEntry?>? write = null;
        DeadLetterEntry? savedDirectly = null;
        try
        {
            var fileStore = _store as FileDeadLetterStore;
            var (storedEntries, storedBytes) = fileStore is not null ? fileStore.UpperBounds() : (_store.Count, _store.SizeBytes);
            if (storedEntries + reservedEntries > _options.MaxEntries || storedBytes + reservedBytes > _options.MaxBytes)
            {
                await _admission.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await MakeRoomAsync(size, cancellationToken).ConfigureAwait(false);
                    write = SaveNewAsync(entry);
                    await write.ConfigureAwait(false);
                }
                finally
                {
                    _admission.Release();
                }
            }
            else if (fileStore is not null && !cancellationToken.CanBeCanceled)
            {
                // The common path: the stored entry is the new one at the version its record got, with no task per add.
                savedDirectly = entry with { Version = (long)await fileStore.SaveSequencedAsync(entry).ConfigureAwait(false) };
            }
            else
            {
                // The write is not cancelled with the caller's wait: once it is under way it may land, and an entry that
                // lands must be scheduled whether or not the caller still waits.
                write = SaveNewAsync(entry);
                if (cancellationToken.CanBeCanceled && !write.IsCompleted)
                {
                    Processor.ScheduleWhenStored(write, entry.Id);
                    await write.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await write.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _reservedEntries);
            Interlocked.Add(ref _reservedBytes, -size);
        }

        // The payload is copied: the entry written holds the caller's buffer, the one returned must not.
        var saved = write is null ? savedDirectly : await write.ConfigureAwait(false);
        var stored = saved is not null ? saved with { Payload = saved.Payload.ToArray() } : _store.Find(entry.Id) ?? entry;
        _telemetry.Report("OnEnqueued");
        DeadLetterLog.Enqueued(Logger, stored.Id, stored.OperationType, _options.Name, stored.Error.Type, stored.MaxAttempts);
        await RaiseAsync(_options.OnEnqueued, stored, "OnEnqueued").ConfigureAwait(false);
        Processor.Schedule(stored);
        return stored;
    }

    /// <summary>
    /// Reads an entry whole for a page, a summary or a filter: a record that no longer verifies (found on read, since
    /// records are not all read at open) costs only its own entry, which is logged (and named, for a page) rather than
    /// failing the whole listing.
    /// </summary>
    internal DeadLetterEntry? FindForListing(string id)
    {
        List<string>? damaged = null;
        return FindForListing(id, ref damaged);
    }

    /// <inheritdoc cref="FindForListing(string)"/>
    /// <param name="id">The entry's id.</param>
    /// <param name="damaged">The ids found damaged so far (made on the first).</param>
    internal DeadLetterEntry? FindForListing(string id, ref List<string>? damaged)
    {
        try
        {
            return _store.Find(id);
        }
        catch (DeadLetterStoreCorruptedException ex)
        {
            bool first;
            lock (_damagedLogged)
            {
                first = _damagedLogged.Count >= MaxDamagedLogged || _damagedLogged.Add(id);
            }

            if (first)
            {
                DeadLetterLog.EntryUnreadableInListing(Logger, ex, id, _options.Name);
            }

            (damaged ??= []).Add(id);
            return null;
        }
    }

    /// <summary>
    /// Saves a new entry. A file store hands back the entry as stored (its version included) from the write itself,
    /// where reading it back would read and decode its record from disk; any other store gives null, and the caller
    /// asks it afterwards.
    /// </summary>
    private Task<DeadLetterEntry?> SaveNewAsync(DeadLetterEntry entry)
    {
        if (_store is FileDeadLetterStore file)
        {
            var saved = file.SaveReturningStoredAsync(entry);
            return saved.IsCompletedSuccessfully ? Task.FromResult<DeadLetterEntry?>(saved.Result) : AsNullable(saved);
        }

        return SaveThenAskAsync(entry);

        static async Task<DeadLetterEntry?> AsNullable(ValueTask<DeadLetterEntry> saved) => await saved.ConfigureAwait(false);
    }

    private async Task<DeadLetterEntry?> SaveThenAskAsync(DeadLetterEntry entry)
    {
        await _store.SaveAsync([entry], CancellationToken.None).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Gets an entry by id.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <returns>The entry, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or empty.</exception>
    public DeadLetterEntry? Get(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return _store.Find(id);
    }

    /// <summary>
    /// Gets an entry by id (the asynchronous form, for symmetry with stores that live in a database).
    /// </summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The entry, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or empty.</exception>
    public ValueTask<DeadLetterEntry?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<DeadLetterEntry?>(Get(id));
    }

    /// <summary>
    /// Finds entries matching a query (the asynchronous form of <see cref="Query"/>). A store that answers queries
    /// itself (<see cref="IDeadLetterQueryStore"/>, such as the PostgreSQL store) gets the query pushed down: one count
    /// and one page read, never every entry.
    /// </summary>
    /// <param name="query">The query; <see langword="null"/> matches everything.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Skip is negative or Take is not positive.</exception>
    public ValueTask<DeadLetterPage> QueryAsync(DeadLetterQuery? query = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        query ??= new DeadLetterQuery();
        if (QueryStore is { } store)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(query.Skip, "DeadLetterQuery.Skip");
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Take, "DeadLetterQuery.Take");
            return QueryPushedDownAsync(store, query, cancellationToken);
        }

        return new ValueTask<DeadLetterPage>(Query(query));
    }

    /// <summary>
    /// Finds entries matching a query, oldest first, one page at a time. A store that answers queries itself
    /// (<see cref="IDeadLetterQueryStore"/>) gets the query pushed down as in <see cref="QueryAsync"/>, through its
    /// synchronous members (the calling thread waits on the database; prefer <see cref="QueryAsync"/> there).
    /// </summary>
    /// <param name="query">The query; <see langword="null"/> matches everything.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Skip is negative or Take is not positive.</exception>
    public DeadLetterPage Query(DeadLetterQuery? query = null)
    {
        query ??= new DeadLetterQuery();
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip, "DeadLetterQuery.Skip");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Take, "DeadLetterQuery.Take");
        if (QueryStore is { } store)
        {
            return QueryPushedDown(store, query);
        }

        List<DeadLetterSummary> matches;
        int total;
        if (_store is FileDeadLetterStore file && query.CountedByStore)
        {
            // The total comes from the running counts and only the page is visited: no pass over every entry.
            var counts = file.GetCounts();
            total = query.Status is { } status ? counts.ByStatus.GetValueOrDefault(status)
                : query.OperationType is { } type ? counts.ByOperationType.GetValueOrDefault(type)
                : counts.Total - (query.IncludeArchived ? 0 : counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Archived));
            matches = file.FirstSummaries(query.Skip, query.Take, summary => query.Matches(summary, FailureGroupOf));
        }
        else
        {
            // One pass over the index, keeping only the page: matches are counted, not collected.
            matches = new List<DeadLetterSummary>(Math.Min(query.Take, 1024));
            total = 0;
            foreach (var summary in MatchingSummaries(query))
            {
                if (total >= query.Skip && matches.Count < query.Take)
                {
                    matches.Add(summary);
                }

                total++;
            }
        }

        // Only the page's entries are read whole (an entry removed meanwhile is left out, a damaged one named).
        var page = new List<DeadLetterEntry>(matches.Count);
        List<string>? damaged = null;
        foreach (var summary in matches)
        {
            if (FindForListing(summary.Id, ref damaged) is { } entry)
            {
                page.Add(entry);
            }
        }

        return new DeadLetterPage(page, total) { DamagedIds = damaged ?? [] };
    }

    /// <summary>
    /// Computes statistics from the stored entries.
    /// </summary>
    /// <returns>The statistics.</returns>
    public DeadLetterStatistics GetStatistics()
    {
        // From the store's running counts: no scan of the entries, whatever their number.
        var counts = _store.GetCounts();
        var now = _options.TimeProvider.GetUtcNow();
        return new DeadLetterStatistics
        {
            TotalFailed = counts.Total,
            TotalRetried = counts.AttemptsMade,
            Recovered = counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Recovered),
            Exhausted = counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Exhausted),
            Discarded = counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Discarded),
            Pending = counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Pending) + counts.ByStatus.GetValueOrDefault(DeadLetterStatus.Retrying),
            SizeBytes = counts.PayloadBytes,
            OldestPendingAge = counts.OldestPendingCreatedAt is { } oldest ? now - oldest : null,
            ByOperationType = counts.ByOperationType,
            ByStatus = counts.ByStatus,
            OperationTypesWithoutHandler = [.. counts.PendingByOperationType.Keys.Where(type => FindHandler(type) is null).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// Disposes the processor (waiting for running attempts) and the store, if the queue opened it.
    /// </summary>
    /// <returns>A task that completes when everything is flushed and released.</returns>
    public async ValueTask DisposeAsync()
    {
        await Processor.DisposeAsync().ConfigureAwait(false);
        if (_ownsStore)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        _admission.Dispose();
    }

    internal async ValueTask RaiseAsync(Func<DeadLetterEntry, ValueTask>? callback, DeadLetterEntry entry, string name)
    {
        if (callback is null)
        {
            return;
        }

#pragma warning disable CA1031 // A failing user callback must not undo a durable state change; telemetry records it.
        try
        {
            await callback(entry).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.ReportCallbackFailure(name, ex);
        }
#pragma warning restore CA1031
    }

    internal DeadLetterError Redact(DeadLetterError error)
    {
        // Redacted first, cut after: a redactor may lengthen the text, and cutting first could split what it looks for.
        var message = error.Message ?? string.Empty;
        var stack = error.StackTrace;
        if (_options.RedactSecrets)
        {
            message = SecretRedaction.RedactText(message);
            stack = stack is null ? null : SecretRedaction.RedactText(stack);
        }

        if (_options.Redact is { } redact)
        {
            message = redact(message);
            stack = stack is null ? null : redact(stack);
        }

        return error with
        {
            Type = DeadLetterLimits.Truncate(error.Type ?? "unknown", DeadLetterLimits.MaxErrorTypeLength),
            Message = DeadLetterLimits.Truncate(message, DeadLetterLimits.MaxErrorMessageLength),
            StackTrace = stack is null ? null : DeadLetterLimits.Truncate(stack, DeadLetterLimits.MaxStackTraceLength),
        };
    }


    private IReadOnlyDictionary<string, string> Redact(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0)
        {
            return DeadLetterEntry.EmptyContext;
        }

        var copy = new Dictionary<string, string>(context.Count, StringComparer.Ordinal);
        foreach (var pair in context)
        {
            var value = pair.Value ?? string.Empty;
            if (_options.RedactSecrets)
            {
                value = SecretRedaction.IsSecretKey(pair.Key) ? SecretRedaction.Marker : SecretRedaction.RedactText(value);
            }

            copy[pair.Key] = _options.Redact is { } redact ? redact(value) : value;
        }

        return copy;
    }

    private async ValueTask MakeRoomAsync(long entryBytes, CancellationToken cancellationToken)
    {
        bool Full() => _store.Count + 1 > _options.MaxEntries || _store.SizeBytes + entryBytes > _options.MaxBytes;
        if (!Full())
        {
            return;
        }

        if (_options.OverflowPolicy == OverflowPolicy.DropOldestExhausted && QueryStore is { } queryStore)
        {
            var chosen = await OldestExhaustedForRoomAsync(queryStore, entryBytes, cancellationToken).ConfigureAwait(false);
            if (chosen.Count > 0)
            {
                // Conditional: an entry replayed meanwhile is no longer exhausted and is not dropped.
                await _store.TryDeleteAsync(chosen, cancellationToken).ConfigureAwait(false);
                _telemetry.Report("OnDroppedForRoom");
                return;
            }
        }
        else if (_options.OverflowPolicy == OverflowPolicy.DropOldestExhausted)
        {
            var victims = new List<DeadLetterEntry>();
            long freedBytes = 0;
            foreach (var candidate in _store.Summaries())
            {
                if (candidate.Status != DeadLetterStatus.Exhausted)
                {
                    continue;
                }

                victims.Add(candidate.ToDeleteToken());
                freedBytes += candidate.EncodedBytes;
                if (_store.Count - victims.Count + 1 <= _options.MaxEntries && _store.SizeBytes - freedBytes + entryBytes <= _options.MaxBytes)
                {
                    // Conditional: an entry replayed meanwhile is no longer exhausted and is not dropped.
                    await _store.TryDeleteAsync(victims, cancellationToken).ConfigureAwait(false);
                    _telemetry.Report("OnDroppedForRoom");
                    return;
                }
            }
        }

        _telemetry.Report("OnRejectedFull");
        throw new DeadLetterQueueFullException(
            $"The dead letter queue is full ({_store.Count} entries, {_store.SizeBytes} bytes stored; limits {_options.MaxEntries} entries and {_options.MaxBytes} bytes, DeadLetterQueueOptions.MaxEntries and MaxBytes) and the overflow policy {_options.OverflowPolicy} cannot make room.");
    }

    private static void Validate(DeadLetterQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionGuard.InRange(options.MaxAttempts, 1, 10_000, "DeadLetterQueueOptions.MaxAttempts");
        OptionGuard.InRange(options.MaxEntries, 1, int.MaxValue, "DeadLetterQueueOptions.MaxEntries");
        OptionGuard.InRange(options.MaxBytes, 1, long.MaxValue, "DeadLetterQueueOptions.MaxBytes");
        OptionGuard.InRange(options.MaxPayloadBytes, 1, DeadLetterLimits.MaxPayloadBytes, "DeadLetterQueueOptions.MaxPayloadBytes");
        OptionGuard.InRange(options.MaxConcurrentAttempts, 1, 1024, "DeadLetterQueueOptions.MaxConcurrentAttempts");
        OptionGuard.InRange(options.PauseAfterConsecutiveFailures, 1, int.MaxValue, "DeadLetterQueueOptions.PauseAfterConsecutiveFailures");
        OptionGuard.Positive(options.RetryBaseDelay, "DeadLetterQueueOptions.RetryBaseDelay");
        OptionGuard.Positive(options.RetryMaxDelay, "DeadLetterQueueOptions.RetryMaxDelay");
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            throw OptionGuard.OutOfRange("DeadLetterQueueOptions.RetryMaxDelay", options.RetryMaxDelay, "must not be shorter than RetryBaseDelay");
        }

        OptionGuard.NotNegative(options.PauseDuration, "DeadLetterQueueOptions.PauseDuration");
        OptionGuard.Positive(options.Retention, "DeadLetterQueueOptions.Retention");
        OptionGuard.Positive(options.ArchiveRetention, "DeadLetterQueueOptions.ArchiveRetention");
        OptionGuard.NotNull(options.Fingerprinter, "DeadLetterQueueOptions.Fingerprinter");
        OptionGuard.NotNull(options.TimeProvider, "DeadLetterQueueOptions.TimeProvider");
        if (options.Directory is not null)
        {
            OptionGuard.NotEmpty(options.Directory, "DeadLetterQueueOptions.Directory");
        }
    }
}
