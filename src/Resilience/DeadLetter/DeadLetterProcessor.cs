using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>
/// Retries due entries of a <see cref="DeadLetterQueue"/> through their handlers: bounded concurrency, exponential
/// backoff with jitter, each attempt's outcome persisted before the next is scheduled, and a pause per operation type
/// after repeated failures so a dead dependency does not burn every entry's attempts.
/// </summary>
/// <remarks>
/// There is no polling: one timer (from the queue's <see cref="TimeProvider"/>) is armed for the earliest due entry.
/// Entries left <see cref="DeadLetterStatus.Retrying"/> by a crash are put back to <see cref="DeadLetterStatus.Pending"/>
/// when the queue opens and retried after <see cref="Start"/> (at-least-once); their interrupted attempt counts, so
/// an entry never runs more than <see cref="DeadLetterEntry.MaxAttempts"/> times. Every state change is conditional on
/// the version the processor read: when an operator discards, purges or replays an entry during an attempt, the
/// attempt's outcome is dropped and the operator's change stands.
/// </remarks>
public sealed class DeadLetterProcessor : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinimumClaimWait = TimeSpan.FromMilliseconds(100);
    private const int MaxTrackedOperationTypes = 1024;

    private readonly Lock _lock = new();

    // Entries whose record was found damaged when read: logged once each (the set holds ids only).
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);
    private readonly DeadLetterQueue _queue;

    // Set when the store is shared by several processes: due entries are then claimed under a lease, round by round,
    // instead of being scheduled from this process's own view of the store.
    private readonly IDeadLetterLeaseStore? _leases;

    // Set for a file store used by this process alone: its index keeps the pending entries in due order (per operation
    // type), so due entries are read from it instead of from a schedule of every pending id kept here.
    private readonly FileDeadLetterStore? _dueOrder;
    private readonly DeadLetterQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly PriorityQueue<string, DateTimeOffset> _due = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    // The due time each id is queued for: scheduling the same entry again (a handler registered, a replay) replaces
    // its place instead of adding a duplicate, and heap items whose time no longer matches are skipped as stale.
    private readonly Dictionary<string, DateTimeOffset> _scheduled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _consecutiveFailures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pausedUntil = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private CancellationTokenSource _stopping = new();
    private bool _running;
    private bool _pumpQueued;
    private int _busy;
    private TaskCompletionSource? _idle;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;
    private IDisposable? _changes;
    private bool _claiming;
    private bool _claimAgain;

    internal DeadLetterProcessor(DeadLetterQueue queue, DeadLetterQueueOptions options)
    {
        _queue = queue;
        _options = options;
        _time = options.TimeProvider;
        _random = options.Randomizer ?? Random.Shared.NextDouble;
        _leases = queue.Store as IDeadLetterLeaseStore;
        _dueOrder = _leases is null ? queue.Store as FileDeadLetterStore : null;
    }

    /// <summary>Gets how many operation types the processor keeps failure counts for (bounded).</summary>
    internal int TrackedOperationTypeCount
    {
        get
        {
            lock (_lock)
            {
                return _consecutiveFailures.Count;
            }
        }
    }

    /// <summary>Gets how many items the dispatch heap holds (one per scheduled entry when nothing is stale).</summary>
    internal int QueuedCount
    {
        get
        {
            lock (_lock)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>Gets a value indicating whether the processor is dispatching.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>
    /// Gets the operation types paused now after repeated failures, with the time each pause ends.
    /// </summary>
    /// <returns>The paused types.</returns>
    public IReadOnlyDictionary<string, DateTimeOffset> GetPausedOperationTypes()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _pausedUntil.Where(p => p.Value > now).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Pauses the retries of an operation type (its dependency is known to be down): its due entries wait until the
    /// pause ends or <see cref="ResumeOperationType"/> is called; other types go on. Replaces a pause in place, including
    /// one the processor set itself after repeated failures. Not persisted: a restart resumes every type.
    /// </summary>
    /// <param name="operationType">The operation type.</param>
    /// <param name="duration">How long, from 1 tick to 365 days.</param>
    /// <exception cref="ArgumentException"><paramref name="operationType"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is out of range.</exception>
    public void PauseOperationType(string operationType, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, TimeSpan.FromDays(365));
        var until = _time.GetUtcNow() + duration;
        lock (_lock)
        {
            _pausedUntil[operationType] = until;
        }

        _queue.Telemetry.Report("OnOperationTypePaused");
        DeadLetterLog.OperationTypePauseRequested(_queue.Logger, operationType, until, _options.Name);
    }

    /// <summary>
    /// Ends an operation type's pause (set by <see cref="PauseOperationType"/> or after repeated failures) and clears
    /// its failure count, so its due entries are retried at once.
    /// </summary>
    /// <param name="operationType">The operation type.</param>
    /// <returns>Whether the type was paused.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationType"/> is empty.</exception>
    public bool ResumeOperationType(string operationType)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationType);
        bool paused;
        lock (_lock)
        {
            paused = _pausedUntil.Remove(operationType, out var until) && until > _time.GetUtcNow();
            _consecutiveFailures.Remove(operationType);
        }

        if (paused)
        {
            DeadLetterLog.OperationTypeResumed(_queue.Logger, operationType, _options.Name);

            // Its entries sit in the heap at the pause's end; scheduling them again puts them back at their due times.
            ScheduleAll();
        }

        return paused;
    }

    /// <summary>
    /// Starts dispatching: schedules every pending entry (including attempts a crash interrupted).
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_running)
            {
                return;
            }

            _running = true;
            if (_stopping.IsCancellationRequested)
            {
                _stopping.Dispose();
                _stopping = new CancellationTokenSource();
            }

            _timer ??= _time.CreateTimer(static s => ((DeadLetterProcessor)s!).RequestPump(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
            _changes ??= _leases?.SubscribeToChanges(RequestPump);
        }

        ScheduleAll();
    }

    /// <summary>
    /// Stops dispatching and waits for running attempts; when <paramref name="cancellationToken"/> fires first, the
    /// running attempts' token is cancelled and they are put back in line.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait (for example the host's shutdown timeout).</param>
    /// <returns>A task that completes when no attempt is running.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _running = false;
            _timer?.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }

        try
        {
            await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await WaitForIdleAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes when no attempt is running and no dispatch is pending (useful in tests after moving a fake clock).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the processor is idle.</returns>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        Task idle;
        lock (_lock)
        {
            if (_busy == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle.Task;
        }

        return idle.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the processor (waiting for running attempts) and releases its timer.
    /// </summary>
    /// <returns>A task that completes when it is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _changes?.Dispose();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal TimeSpan Backoff(int attemptsMade)
    {
        // The retry strategy's own maths: exponential with equal jitter (base · 2^n · U(0.5, 1)), capped after jitter.
        var previous = 0.0;
        return Retry.Internal.BackoffCalculator.Compute(
            Retry.BackoffType.Exponential,
            attemptsMade,
            _options.RetryBaseDelay,
            _options.RetryMaxDelay,
            Retry.JitterMode.Equal,
            jitterRange: 1, // unused by equal jitter
            _random,
            ref previous);
    }

    /// <summary>
    /// Puts entries whose attempt a crash interrupted (still <see cref="DeadLetterStatus.Retrying"/> in the store) back
    /// to Pending, due now; an entry whose interrupted attempt was its last is exhausted instead.
    /// </summary>
    internal void RecoverInterruptedAttempts()
    {
        if (_leases is not null)
        {
            // Another process may be running those attempts: their leases expire instead, and the claim takes them over.
            return;
        }

        if (_dueOrder is not null && _dueOrder.GetCounts().ByStatus.GetValueOrDefault(DeadLetterStatus.Retrying) == 0)
        {
            // The file store counts by status as it goes: no interrupted attempt, no scan of every entry at open.
            return;
        }

        var now = _time.GetUtcNow();
        var interrupted = _queue.Store.Summaries().Where(s => s.Status == DeadLetterStatus.Retrying).Select(s => s.Id).ToList();
        foreach (var id in interrupted)
        {
            // Only these few are read whole; the conditional update skips one that changed since.
            if (FindReadable(id) is not { Status: DeadLetterStatus.Retrying } entry)
            {
                continue;
            }

            var recovered = entry.AttemptCount >= entry.MaxAttempts
                ? entry with
                {
                    Status = DeadLetterStatus.Exhausted,
                    NextAttemptAt = null,
                    UpdatedAt = now,
                    Error = entry.Error with { Reason = DeadLetterFailureReason.MaxRetriesExceeded },
                }
                : entry with { Status = DeadLetterStatus.Pending, NextAttemptAt = now, UpdatedAt = now };
            _queue.Store.TryUpdateAsync(recovered).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Schedules an entry once a write its caller stopped waiting for lands; the processor counts as busy until then,
    /// so <see cref="WaitForIdleAsync"/> covers it.
    /// </summary>
    internal void ScheduleWhenStored(Task write, string id)
    {
        lock (_lock)
        {
            _busy++;
        }

        write.ContinueWith(
            static (task, state) =>
            {
                var (processor, id) = ((DeadLetterProcessor, string))state!;
                try
                {
                    if (task.IsCompletedSuccessfully && processor.FindReadable(id) is { } stored)
                    {
                        processor.Schedule(stored);
                    }
                }
                finally
                {
                    processor.Done();
                }
            },
            (this, id),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    internal void Schedule(DeadLetterEntry entry)
    {
        if (entry.Status is not DeadLetterStatus.Pending)
        {
            return;
        }

        if (_leases is not null)
        {
            // The store knows what is due; a claim round finds it (now, or at its due time through the timer it arms).
            RequestPump();
            return;
        }

        if (Enqueue(entry.Id, entry.Status, entry.NextAttemptAt))
        {
            RequestPump();
        }
    }

    internal void ScheduleAll()
    {
        if (_leases is not null || _dueOrder is not null)
        {
            RequestPump();
            return;
        }

        // From the index: the payloads are read when an attempt runs, not to queue the entries.
        foreach (var entry in _queue.Store.Summaries())
        {
            Enqueue(entry.Id, entry.Status, entry.NextAttemptAt);
        }

        RequestPump();
    }

    private bool Enqueue(string id, DeadLetterStatus status, DateTimeOffset? next)
    {
        if (status is not DeadLetterStatus.Pending)
        {
            return false;
        }

        if (_dueOrder is not null)
        {
            // The store's index has it in due order already: a pump finds it (now, or at its time through the timer).
            return true;
        }

        var due = next ?? DateTimeOffset.MinValue;
        lock (_lock)
        {
            if (_scheduled.TryGetValue(id, out var queued) && queued == due)
            {
                return false;
            }

            _scheduled[id] = due;
            _due.Enqueue(id, due);
        }

        return true;
    }

    private void RequestPump()
    {
        lock (_lock)
        {
            if (!_running || _pumpQueued)
            {
                return;
            }

            _pumpQueued = true;
            _busy++;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static p => p.Pump(), this, preferLocal: false);
    }

    private void Pump()
    {
        if (_leases is not null)
        {
            _ = ClaimRoundAsync(_leases);
            return;
        }

        var toRun = new List<DeadLetterEntry>();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _pumpQueued = false;
            if (_dueOrder is not null)
            {
                TakeDueFromStore_NeedsLock(_dueOrder, now, toRun);
            }

            while (_dueOrder is null && _running && _inFlight.Count < _options.MaxConcurrentAttempts && _due.TryPeek(out var id, out var due) && due <= now)
            {
                _due.Dequeue();
                if (!_scheduled.TryGetValue(id, out var queued) || queued != due)
                {
                    continue;
                }

                _scheduled.Remove(id);
                var entry = FindReadable(id);
                if (entry is null || _inFlight.Contains(id) || !IsDue(entry, now))
                {
                    continue;
                }

                if (_pausedUntil.TryGetValue(entry.OperationType, out var until) && until > now)
                {
                    _scheduled[id] = until;
                    _due.Enqueue(id, until);
                    continue;
                }

                if (_queue.FindHandler(entry.OperationType) is null)
                {
                    // Picked up again when a handler for its type is registered.
                    _queue.WarnNoHandler(entry.OperationType);
                    continue;
                }

                _inFlight.Add(id);
                _busy++;
                toRun.Add(entry);
            }

            ArmTimer_NeedsLock(now);
        }

        foreach (var entry in toRun)
        {
            _ = RunAttemptAsync(entry);
        }

        if (now - _lastSweep >= SweepInterval)
        {
            _lastSweep = now;
            lock (_lock)
            {
                _busy++;
            }

            _ = SweepRetentionAsync(now);
        }

        Done();
    }

    /// <summary>
    /// One claim round against a shared store: claims as many due entries as there are free slots, starts their
    /// attempts, then arms the timer for the next claimable time (bounded by the poll interval). Rounds never overlap;
    /// a request during a round makes it go round once more.
    /// </summary>
    private async Task ClaimRoundAsync(IDeadLetterLeaseStore leases)
    {
        var claiming = false;
        try
        {
            lock (_lock)
            {
                _pumpQueued = false;
                if (_claiming)
                {
                    _claimAgain = true;
                    return;
                }

                _claiming = claiming = true;
            }

            while (true)
            {
                var now = _time.GetUtcNow();
                List<string> types;
                int free;
                DateTimeOffset? wakeAt = null;
                lock (_lock)
                {
                    _claimAgain = false;
                    if (!_running)
                    {
                        _claiming = claiming = false;
                        return;
                    }

                    free = _options.MaxConcurrentAttempts - _inFlight.Count;
                    types = [.. _queue.HandlerTypes.Where(type => !(_pausedUntil.TryGetValue(type, out var until) && until > now))];
                    foreach (var until in _pausedUntil.Values.Where(until => until > now))
                    {
                        wakeAt = wakeAt is null || until < wakeAt ? until : wakeAt;
                    }
                }

                if (now - _lastSweep >= SweepInterval)
                {
                    _lastSweep = now;
                    lock (_lock)
                    {
                        _busy++;
                    }

                    _ = SweepRetentionAsync(now);
                }

                if (free > 0 && types.Count > 0)
                {
                    var claimed = await leases.ClaimDueAsync(types, free, now, _stopping.Token).ConfigureAwait(false);
                    lock (_lock)
                    {
                        foreach (var entry in claimed)
                        {
                            _inFlight.Add(entry.Id);
                            _busy++;
                        }
                    }

                    foreach (var entry in claimed)
                    {
                        _ = RunAttemptAsync(entry);
                    }

                    // With every slot taken, the next round follows an attempt's completion.
                    if (claimed.Count < free && await leases.GetNextClaimableAtAsync(types, _stopping.Token).ConfigureAwait(false) is { } next)
                    {
                        // Due now but not claimed: another instance holds it this moment; look again shortly, not in a spin.
                        next = next <= now ? now + MinimumClaimWait : next;
                        wakeAt = wakeAt is null || next < wakeAt ? next : wakeAt;
                    }
                }

                lock (_lock)
                {
                    if (_claimAgain && _running)
                    {
                        continue;
                    }

                    _claiming = claiming = false;
                    ArmClaimTimer_NeedsLock(leases, now, wakeAt);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // A database outage must not kill the processor: reported, and the next poll tries again.
        catch (Exception ex)
        {
            _queue.Telemetry.ReportCallbackFailure("DeadLetterClaim", ex);
            lock (_lock)
            {
                ArmClaimTimer_NeedsLock(leases, _time.GetUtcNow(), null);
            }
        }
#pragma warning restore CA1031
        finally
        {
            if (claiming)
            {
                lock (_lock)
                {
                    _claiming = false;
                }
            }

            Done();
        }
    }

    private void ArmClaimTimer_NeedsLock(IDeadLetterLeaseStore leases, DateTimeOffset now, DateTimeOffset? wakeAt)
    {
        if (!_running || _timer is null)
        {
            return;
        }

        var delay = leases.PollInterval;
        if (wakeAt is { } at && at - now < delay)
        {
            // From the clock as it is now, not as the round read it: a timer's delay counts from when it is set, and
            // a round that waited on the store (or a test clock moved meanwhile) would otherwise wake that much late.
            delay = at - _time.GetUtcNow();
        }

        _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Takes the earliest due entries from the store's due order, as many as there are free attempt slots: entries of
    /// paused types or of types without a handler are passed over (their types' entries wait where they are), and so
    /// are entries already running or found unreadable.
    /// </summary>
    private void TakeDueFromStore_NeedsLock(FileDeadLetterStore store, DateTimeOffset now, List<DeadLetterEntry> toRun)
    {
        var free = _options.MaxConcurrentAttempts - _inFlight.Count;
        if (!_running || free <= 0)
        {
            return;
        }

        var nowTicks = now.UtcTicks;
        var candidates = new List<string>();
        List<string>? withoutHandler = null;
        store.VisitDue(type => IsDispatchable_NeedsLock(type, now, ref withoutHandler), (id, due) =>
        {
            if (due > nowTicks)
            {
                return false;
            }

            if (!_inFlight.Contains(id) && !IsUnreadable(id))
            {
                candidates.Add(id);
            }

            return candidates.Count < free;
        });

        // Logged once the store's lock is left: a logger is the application's code.
        foreach (var type in withoutHandler ?? [])
        {
            // Picked up again when a handler for its type is registered.
            _queue.WarnNoHandler(type);
        }

        foreach (var id in candidates)
        {
            // Read after the store's lock is left (the visit runs under it); changed since only by this process.
            if (FindReadable(id) is { } entry && IsDue(entry, now))
            {
                _inFlight.Add(id);
                _busy++;
                toRun.Add(entry);
            }
        }
    }

    /// <summary>Gets when the earliest entry the store's due order would dispatch is due, or <see langword="null"/>.</summary>
    private DateTimeOffset? NextDueFromStore_NeedsLock(FileDeadLetterStore store, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        List<string>? ignored = null;
        store.VisitDue(type => IsDispatchable_NeedsLock(type, now, ref ignored), (id, due) =>
        {
            if (_inFlight.Contains(id) || IsUnreadable(id))
            {
                return true;
            }

            next = due == IndexedEntry.NoTime ? DateTimeOffset.MinValue : new DateTimeOffset(due, TimeSpan.Zero);
            return false;
        });

        // A paused type's entries become due when its pause ends.
        foreach (var until in _pausedUntil.Values)
        {
            if (until > now && (next is null || until < next))
            {
                next = until;
            }
        }

        return next;
    }

    /// <summary>Whether a type's entries may be dispatched now: not paused, and with a handler (a type without one is added to <paramref name="withoutHandler"/>).</summary>
    private bool IsDispatchable_NeedsLock(string operationType, DateTimeOffset now, ref List<string>? withoutHandler)
    {
        if (_pausedUntil.TryGetValue(operationType, out var until) && until > now)
        {
            return false;
        }

        if (_queue.FindHandler(operationType) is null)
        {
            (withoutHandler ??= []).Add(operationType);
            return false;
        }

        return true;
    }

    private bool IsUnreadable(string id)
    {
        lock (_unreadable)
        {
            return _unreadable.Contains(id);
        }
    }

    private static bool IsDue(DeadLetterEntry entry, DateTimeOffset now)
        => entry.Status == DeadLetterStatus.Pending && (entry.NextAttemptAt is null || entry.NextAttemptAt <= now);

    private void ArmTimer_NeedsLock(DateTimeOffset now)
    {
        if (!_running || _timer is null)
        {
            return;
        }

        // Retention is swept about once a minute even while nothing is due, so a queue that went quiet still forgets
        // its recovered and discarded entries on time.
        var wake = _lastSweep + SweepInterval;

        // When every slot is busy the next dispatch follows an attempt's completion, not the clock (so the store's due
        // order is not even read then).
        var next = _dueOrder is null ? _due.TryPeek(out _, out var queued) ? queued : null
            : _inFlight.Count < _options.MaxConcurrentAttempts ? NextDueFromStore_NeedsLock(_dueOrder, now) : null;
        if (next < wake && !(next <= now && _inFlight.Count >= _options.MaxConcurrentAttempts))
        {
            wake = next.Value;
        }

        // From the clock as it is now (see ArmClaimTimer_NeedsLock).
        var delay = wake - _time.GetUtcNow();
        _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, System.Threading.Timeout.InfiniteTimeSpan);
    }

    private async Task RunAttemptAsync(DeadLetterEntry entry)
    {
        try
        {
            await (_leases is null ? AttemptAsync(entry) : LeasedAttemptAsync(_leases, entry)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A store failure while recording an attempt must not kill the processor; the entry is retried after restart.
        catch (Exception ex)
        {
            _queue.Telemetry.ReportCallbackFailure("DeadLetterAttemptRecording", ex);
        }
#pragma warning restore CA1031
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(entry.Id);
            }

            RequestPump();
            Done();
        }
    }

    private async Task AttemptAsync(DeadLetterEntry entry)
    {
        var attemptNumber = entry.AttemptCount + 1;
        if (attemptNumber > entry.MaxAttempts)
        {
            await ExhaustSpentAsync(entry).ConfigureAwait(false);
            return;
        }

        // The attempt is durable before it runs, so a crash during it still counts it; conditional, so an entry an
        // operator changed since it was picked is left alone.
        var running = await _queue.Store.TryUpdateAsync(entry with { Status = DeadLetterStatus.Retrying, AttemptCount = attemptNumber, UpdatedAt = _time.GetUtcNow() }).ConfigureAwait(false);
        if (running is null)
        {
            RescheduleCurrent(entry.Id);
            return;
        }

        await RunAndRecordAsync(running, attemptNumber, _stopping.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an attempt the store claimed under a lease (already <see cref="DeadLetterStatus.Retrying"/>, the attempt
    /// counted), renewing the lease while the handler runs. A lost lease cancels the handler's token; its outcome is then
    /// rejected by the version check, since the entry changed or another instance took it over.
    /// </summary>
    private async Task LeasedAttemptAsync(IDeadLetterLeaseStore leases, DeadLetterEntry claimed)
    {
        if (claimed.AttemptCount > claimed.MaxAttempts)
        {
            // The last attempt's instance died with its lease: that attempt counted, and there is none left.
            await ExhaustSpentAsync(claimed with { AttemptCount = claimed.MaxAttempts }).ConfigureAwait(false);
            return;
        }

        using var lost = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var renewEvery = leases.LeaseDuration / 3;
        var renewal = _time.CreateTimer(
            static s =>
            {
                var (processor, leases, claimed, lost) = ((DeadLetterProcessor, IDeadLetterLeaseStore, DeadLetterEntry, CancellationTokenSource))s!;
                _ = processor.RenewAsync(leases, claimed, lost);
            },
            (this, leases, claimed, lost),
            renewEvery,
            renewEvery);
        await using (renewal.ConfigureAwait(false))
        {
            await RunAndRecordAsync(claimed, claimed.AttemptCount, lost.Token).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(IDeadLetterLeaseStore leases, DeadLetterEntry claimed, CancellationTokenSource lost)
    {
#pragma warning disable CA1031 // A failed renewal is reported; the lease may still hold, and the version check guards the outcome.
        try
        {
            if (!await leases.TryRenewLeaseAsync(claimed, _time.GetUtcNow()).ConfigureAwait(false))
            {
                await lost.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished meanwhile.
        }
        catch (Exception ex)
        {
            _queue.Telemetry.ReportCallbackFailure("DeadLetterLeaseRenewal", ex);
        }
#pragma warning restore CA1031
    }

    private async Task ExhaustSpentAsync(DeadLetterEntry entry)
    {
        // The budget was spent by attempts a crash interrupted: no run beyond MaxAttempts.
        var spent = entry with { Status = DeadLetterStatus.Exhausted, NextAttemptAt = null, UpdatedAt = _time.GetUtcNow() };
        if (await _queue.Store.TryUpdateAsync(spent).ConfigureAwait(false) is { } exhaustedNow)
        {
            _queue.Telemetry.Report("OnExhausted");
            DeadLetterLog.Exhausted(_queue.Logger, null, exhaustedNow.Id, exhaustedNow.OperationType, exhaustedNow.AttemptCount, "attempts spent before a restart", _options.Name);
            await _queue.RaiseAsync(_options.OnExhausted, exhaustedNow, "OnExhausted").ConfigureAwait(false);
        }
    }

    private async Task RunAndRecordAsync(DeadLetterEntry running, int attemptNumber, CancellationToken cancellationToken)
    {
        var entry = running;
        DeadLetterLog.AttemptStarted(_queue.Logger, running.Id, running.OperationType, attemptNumber, running.MaxAttempts, _options.Name);
        Exception? failure = null;
#pragma warning disable CA1031 // The handler's failure is the attempt's outcome.
        try
        {
            var handler = _queue.FindHandler(entry.OperationType)!;
            await handler(new DeadLetterAttempt(running, attemptNumber), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
#pragma warning restore CA1031

        var now = _time.GetUtcNow();
        if (failure is null)
        {
            var recovered = await RecordOutcomeAsync(running with { Status = DeadLetterStatus.Recovered, NextAttemptAt = null, UpdatedAt = now }).ConfigureAwait(false);
            lock (_lock)
            {
                _consecutiveFailures.Remove(entry.OperationType);
                _pausedUntil.Remove(entry.OperationType);
            }

            if (recovered is not null)
            {
                _queue.Telemetry.Report("OnRecovered");
                DeadLetterLog.Recovered(_queue.Logger, recovered.Id, recovered.OperationType, attemptNumber, _options.Name);
                await _queue.RaiseAsync(_options.OnRecovered, recovered, "OnRecovered").ConfigureAwait(false);
            }

            return;
        }

        if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Shutdown (or a lost lease) interrupted it: back in line, due at once after the next start. After a lost
            // lease the entry has moved on, so the version check drops this write.
            await RecordOutcomeAsync(running with { Status = DeadLetterStatus.Pending, NextAttemptAt = now, UpdatedAt = now }).ConfigureAwait(false);
            return;
        }

        RecordFailure(entry.OperationType, now);
        DeadLetterFailureReason? finalReason = failure switch
        {
            DeadLetterPayloadException => DeadLetterFailureReason.CorruptedData,
            _ when _options.IsPermanentFailure?.Invoke(failure) == true => DeadLetterFailureReason.NonRetryable,
            _ when attemptNumber >= running.MaxAttempts => DeadLetterFailureReason.MaxRetriesExceeded,
            _ => null,
        };

        if (finalReason is { } reason)
        {
            var exhausted = await RecordOutcomeAsync(_queue.WithFailure(running, _queue.Redact(DeadLetterError.FromException(failure, reason)), now) with
            {
                Status = DeadLetterStatus.Exhausted,
                NextAttemptAt = null,
                UpdatedAt = now,
            }).ConfigureAwait(false);
            if (exhausted is not null)
            {
                _queue.Telemetry.Report("OnExhausted");
                DeadLetterLog.Exhausted(_queue.Logger, failure, exhausted.Id, exhausted.OperationType, attemptNumber, reason.ToString(), _options.Name);
                await _queue.RaiseAsync(_options.OnExhausted, exhausted, "OnExhausted").ConfigureAwait(false);
            }

            return;
        }

        var retry = await RecordOutcomeAsync(_queue.WithFailure(running, _queue.Redact(DeadLetterError.FromException(failure, DeadLetterFailureReason.MaxRetriesExceeded)), now) with
        {
            Status = DeadLetterStatus.Pending,
            NextAttemptAt = now + Backoff(attemptNumber),
            UpdatedAt = now,
        }).ConfigureAwait(false);
        DeadLetterLog.AttemptFailed(_queue.Logger, failure, running.Id, running.OperationType, attemptNumber, running.MaxAttempts, retry?.NextAttemptAt, _options.Name);
        if (retry is not null)
        {
            Schedule(retry);
        }
    }

    /// <summary>
    /// Records an attempt's outcome only if nobody changed the entry while it ran; otherwise the operator's change
    /// stands (a discard, a purge) and a replayed entry is put in line again.
    /// </summary>
    private async Task<DeadLetterEntry?> RecordOutcomeAsync(DeadLetterEntry outcome)
    {
        var stored = await _queue.Store.TryUpdateAsync(outcome).ConfigureAwait(false);
        if (stored is null)
        {
            RescheduleCurrent(outcome.Id);
        }

        return stored;
    }

    /// <summary>
    /// Reads an entry for the processor's own use. A record found damaged when it is read (snapshot payload records
    /// are verified on read, not at open) costs only its entry: it is logged once and skipped, never thrown on a
    /// pool thread, where it would end the process.
    /// </summary>
    private DeadLetterEntry? FindReadable(string id)
    {
        try
        {
            return _queue.Store.Find(id);
        }
        catch (DeadLetterStoreCorruptedException ex)
        {
            bool first;
            lock (_unreadable)
            {
                first = _unreadable.Add(id);
            }

            if (first)
            {
                DeadLetterLog.EntryUnreadable(_queue.Logger, ex, id, _options.Name);
            }

            return null;
        }
    }

    private void RescheduleCurrent(string id)
    {
        if (FindReadable(id) is { } current)
        {
            Schedule(current);
        }
    }

    private void RecordFailure(string operationType, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_consecutiveFailures.Count >= MaxTrackedOperationTypes)
            {
                // Operation types come from callers: the per-type state stays bounded, forgetting types not paused now.
                foreach (var type in _consecutiveFailures.Keys.ToList())
                {
                    if (!(_pausedUntil.TryGetValue(type, out var until) && until > now))
                    {
                        _consecutiveFailures.Remove(type);
                        _pausedUntil.Remove(type);
                    }
                }
            }

            var failures = _consecutiveFailures.GetValueOrDefault(operationType) + 1;
            _consecutiveFailures[operationType] = failures;
            if (failures >= _options.PauseAfterConsecutiveFailures && _options.PauseDuration > TimeSpan.Zero)
            {
                _pausedUntil[operationType] = now + _options.PauseDuration;
                _queue.Telemetry.Report("OnOperationTypePaused");
                DeadLetterLog.OperationTypePaused(_queue.Logger, operationType, _pausedUntil[operationType], failures, _options.Name);
            }
        }
    }

    /// <summary>
    /// Deletes what is past its retention over a file store, from its update-time order: reads only the expired
    /// entries, a thousand per conditional delete, where a scan of every entry per sweep would read ten million every
    /// minute while a drained backlog waits out its retention.
    /// </summary>
    private async Task SweepFromUpdateOrderAsync(FileDeadLetterStore store, DateTimeOffset now)
    {
        const int PerWrite = 1000;
        // A retention longer than the time since year 1 (TimeSpan.MaxValue, say) keeps everything.
        var resolvedUpTo = now - DateTimeOffset.MinValue > _options.Retention ? now - _options.Retention : DateTimeOffset.MinValue;
        var archivedUpTo = now - DateTimeOffset.MinValue > _options.ArchiveRetention ? now - _options.ArchiveRetention : DateTimeOffset.MinValue;
        while (true)
        {
            var expired = store.Expired(resolvedUpTo, archivedUpTo, PerWrite);
            if (expired.Count == 0)
            {
                return;
            }

            // Conditional: an entry replayed since it was read is live again and stays.
            var deleted = await store.TryDeleteAsync(expired.ConvertAll(e => e.ToDeleteToken())).ConfigureAwait(false);
            if (deleted == 0 || expired.Count < PerWrite)
            {
                return;
            }
        }
    }

    private async Task SweepRetentionAsync(DateTimeOffset now)
    {
        try
        {
            if (_leases is not null)
            {
                await _leases.DeleteResolvedAsync(now - _options.Retention, now - _options.ArchiveRetention).ConfigureAwait(false);
                return;
            }

            if (_dueOrder is not null)
            {
                await SweepFromUpdateOrderAsync(_dueOrder, now).ConfigureAwait(false);
                return;
            }

            var expired = _queue.Store.Summaries()
                .Where(e => (e.Status is DeadLetterStatus.Recovered or DeadLetterStatus.Discarded && e.UpdatedAt + _options.Retention <= now)
                    || (e.Status == DeadLetterStatus.Archived && e.UpdatedAt + _options.ArchiveRetention <= now))
                .Select(e => e.ToDeleteToken())
                .ToList();
            if (expired.Count > 0)
            {
                // Conditional: an entry replayed since it was read is live again and stays.
                await _queue.Store.TryDeleteAsync(expired).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Retention is housekeeping; a failure is reported and retried at the next sweep.
        catch (Exception ex)
        {
            _queue.Telemetry.ReportCallbackFailure("DeadLetterRetention", ex);
        }
#pragma warning restore CA1031
        finally
        {
            Done();
        }
    }

    private void Done()
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            if (--_busy == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }
}
