using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.Checkpointing.Internal;
using Resilience.Internal;

namespace Resilience.Checkpointing;

/// <summary>
/// Keeps a consumer group's offsets, one per (stream, partition): <see cref="Update"/> moves an offset in memory,
/// <see cref="CommitAsync"/> makes every offset durable in the store in one atomic snapshot, automatically every
/// <see cref="CheckpointManagerOptions.AutoCommitInterval"/> and once more on disposal. Thread-safe.
/// </summary>
/// <remarks>
/// An offset is the position of the next item to handle: everything before it is done. With parallel handlers, feed
/// the offsets through a <see cref="CheckpointPartitionTracker"/> (<see cref="Track"/>), which never moves past an
/// unfinished item however the items finish. Offsets never go backwards: a lower <see cref="Update"/> is ignored.
/// </remarks>
public sealed class CheckpointManager : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly ICheckpointStore _store;
    private readonly TimeProvider _time;
    private readonly CheckpointInstruments _instruments;
    private readonly ILogger _logger;
    private readonly Dictionary<CheckpointKey, PartitionState> _partitions = [];
    private readonly Dictionary<CheckpointKey, CheckpointPartitionTracker> _trackers = [];
    private ITimer? _timer;
    private long _generation;
    private long _version;
    private long _committedVersion;
    private bool _stopped;

    private CheckpointManager(ICheckpointStore store, CheckpointManagerOptions options, CheckpointSnapshot? loaded)
    {
        _store = store;
        _time = options.TimeProvider;
        ConsumerGroup = options.ConsumerGroup!;
        _instruments = CheckpointInstruments.For(options.MeterFactory);
        _logger = options.LoggerFactory?.CreateLogger(CheckpointLog.Category) ?? NullLogger.Instance;
        if (loaded is not null)
        {
            _generation = loaded.Generation;
            foreach (var (key, offset) in loaded.Offsets)
            {
                _partitions[key] = new PartitionState { Offset = offset, Committed = offset, HasCommitted = true, Latest = offset };
            }
        }

        _instruments.Observe(this);
    }

    /// <summary>Gets the consumer group.</summary>
    public string ConsumerGroup { get; }

    /// <summary>Gets the generation of the last durable commit (0 before the first).</summary>
    public long Generation
    {
        get
        {
            lock (_lock)
            {
                return _generation;
            }
        }
    }

    /// <summary>
    /// Opens a manager: loads the group's last committed offsets from the store and starts the automatic commits.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The manager; dispose it to commit a last time and stop.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="CheckpointCorruptedException">The store holds offsets but no intact copy of them.</exception>
    public static async ValueTask<CheckpointManager> OpenAsync(ICheckpointStore store, CheckpointManagerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.ConsumerGroup))
        {
            throw new ArgumentException("CheckpointManagerOptions.ConsumerGroup must be set.", nameof(options));
        }

        _ = OptionGuard.NotNull(options.TimeProvider, "CheckpointManagerOptions.TimeProvider");
        if (options.AutoCommitInterval is { } interval)
        {
            OptionGuard.Positive(interval, "CheckpointManagerOptions.AutoCommitInterval");
            OptionGuard.AtMostMaxDuration(interval, "CheckpointManagerOptions.AutoCommitInterval");
        }

        var loaded = await store.LoadAsync(options.ConsumerGroup, cancellationToken).ConfigureAwait(false);
        var manager = new CheckpointManager(store, options, loaded);
        if (options.AutoCommitInterval is { } every)
        {
            manager._timer = options.TimeProvider.CreateTimer(static s => ((CheckpointManager)s!).AutoCommit(), manager, every, every);
        }

        return manager;
    }

    /// <summary>Gets a partition's offset in memory (handled, maybe not yet committed).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <returns>The offset, or <see langword="null"/> when the group has none for the partition.</returns>
    public long? GetOffset(string stream, int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(new CheckpointKey(stream, partition), out var state) ? state.Offset : null;
        }
    }

    /// <summary>Gets a partition's last durable offset: where a restarted consumer resumes.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <returns>The offset, or <see langword="null"/> when none was committed for the partition.</returns>
    public long? GetCommittedOffset(string stream, int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(new CheckpointKey(stream, partition), out var state) && state.HasCommitted ? state.Committed : null;
        }
    }

    /// <summary>Gets a partition's lag: the latest offset seen (<see cref="ReportLatest"/>) minus the committed one.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <returns>The lag, 0 for an unknown partition.</returns>
    public long GetLag(string stream, int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(new CheckpointKey(stream, partition), out var state) ? state.Lag : 0;
        }
    }

    /// <summary>
    /// Moves a partition's offset in memory: every item before <paramref name="offset"/> is done. Durable only after
    /// the next commit. A lower offset than the current one is ignored, so offsets never go backwards.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The position of the next item to handle.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="partition"/> is negative.</exception>
    public void Update(string stream, int partition, long offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            var state = StateOf_NeedsLock(new CheckpointKey(stream, partition));
            if (offset > state.Offset)
            {
                state.Offset = offset;
                state.Latest = Math.Max(state.Latest, offset);
                _version++;
            }
        }
    }

    /// <summary>Records the end of what a partition holds (the offset after the latest item seen), for the lag gauge.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="endOffset">The offset after the latest item seen.</param>
    public void ReportLatest(string stream, int partition, long endOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        lock (_lock)
        {
            var state = StateOf_NeedsLock(new CheckpointKey(stream, partition));
            state.Latest = Math.Max(state.Latest, endOffset);
        }
    }

    /// <summary>
    /// Gets the tracker of a partition (one per partition, created on first use, starting at its current offset):
    /// report each item's start and completion to it, in any completion order, and it moves the offset only past
    /// items that are all done.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="partition">The partition.</param>
    /// <returns>The tracker.</returns>
    public CheckpointPartitionTracker Track(string stream, int partition)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        var key = new CheckpointKey(stream, partition);
        lock (_lock)
        {
            if (!_trackers.TryGetValue(key, out var tracker))
            {
                var start = _partitions.TryGetValue(key, out var state) ? state.Offset : 0;
                tracker = new CheckpointPartitionTracker(this, key, start);
                _trackers.Add(key, tracker);
            }

            return tracker;
        }
    }

    /// <summary>
    /// Makes every offset durable: one snapshot of all partitions, saved atomically. Commits run one at a time; a
    /// commit with nothing changed since the last one writes nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for a running commit, or the save.</param>
    /// <returns><see langword="true"/> when a snapshot was written.</returns>
    /// <exception cref="IOException">The store failed; the offsets stay in memory for the next commit.</exception>
    public async ValueTask<bool> CommitAsync(CancellationToken cancellationToken = default)
    {
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CommitUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Stops the automatic commits and commits a last time (graceful shutdown).</summary>
    /// <param name="cancellationToken">Cancels the last commit.</param>
    /// <returns>A task that completes once the last commit is durable.</returns>
    public async ValueTask StopAsync(CancellationToken cancellationToken = default)
    {
        ITimer? timer;
        lock (_lock)
        {
            _stopped = true;
            timer = _timer;
            _timer = null;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        await CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the automatic commits and commits a last time.</summary>
    /// <returns>A task that completes once the last commit is durable.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    internal void MeasureLag(List<Measurement<int>> into)
    {
        lock (_lock)
        {
            foreach (var (key, state) in _partitions)
            {
                into.Add(new Measurement<int>(
                    (int)Math.Min(int.MaxValue, state.Lag),
                    new KeyValuePair<string, object?>(CheckpointTelemetryNames.ConsumerGroupTag, ConsumerGroup),
                    new KeyValuePair<string, object?>(CheckpointTelemetryNames.StreamTag, key.Stream),
                    new KeyValuePair<string, object?>(CheckpointTelemetryNames.PartitionTag, key.Partition)));
            }
        }
    }

    private async ValueTask<bool> CommitUnderGateAsync(CancellationToken cancellationToken)
    {
        CheckpointSnapshot snapshot;
        long version;
        lock (_lock)
        {
            if (_version == _committedVersion)
            {
                return false;
            }

            version = _version;
            var offsets = new Dictionary<CheckpointKey, long>(_partitions.Count);
            foreach (var (key, state) in _partitions)
            {
                offsets[key] = state.Offset;
            }

            snapshot = new CheckpointSnapshot(ConsumerGroup, _generation + 1, _time.GetUtcNow(), offsets);
        }

        var started = _time.GetTimestamp();
        var outcome = "failure";
        try
        {
            await _store.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
            outcome = "success";
        }
        finally
        {
            RecordDuration(started, outcome);
        }

        lock (_lock)
        {
            _generation = snapshot.Generation;
            _committedVersion = version;
            foreach (var (key, offset) in snapshot.Offsets)
            {
                var state = _partitions[key];
                state.Committed = offset;
                state.HasCommitted = true;
            }
        }

        return true;
    }

    private void RecordDuration(long started, string outcome)
    {
        var histogram = _instruments.CommitDuration;
        if (histogram.Enabled)
        {
            histogram.Record(
                _time.GetElapsedTime(started).TotalMilliseconds,
                new KeyValuePair<string, object?>(CheckpointTelemetryNames.ConsumerGroupTag, ConsumerGroup),
                new KeyValuePair<string, object?>(Telemetry.ResilienceTelemetryNames.OutcomeTag, outcome));
        }
    }

    private void AutoCommit()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
        }

        // A tick that finds a commit running skips: the running one, or the next tick, carries the offsets.
        if (!_commitGate.Wait(0))
        {
            return;
        }

        _ = AutoCommitAsync();
    }

    private async Task AutoCommitAsync()
    {
#pragma warning disable CA1031 // A failed automatic commit is logged; the offsets stay in memory for the next one.
        try
        {
            await CommitUnderGateAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            CheckpointLog.AutoCommitFailed(_logger, ex, ConsumerGroup);
        }
        finally
        {
            _commitGate.Release();
        }
#pragma warning restore CA1031
    }

    private PartitionState StateOf_NeedsLock(CheckpointKey key)
    {
        if (!_partitions.TryGetValue(key, out var state))
        {
            state = new PartitionState();
            _partitions.Add(key, state);
        }

        return state;
    }

    private sealed class PartitionState
    {
        public long Offset;
        public long Committed;
        public bool HasCommitted;
        public long Latest;

        public long Lag => Math.Max(0, Latest - (HasCommitted ? Committed : 0));
    }
}
