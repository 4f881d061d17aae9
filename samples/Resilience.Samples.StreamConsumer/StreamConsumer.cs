using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Resilience.Batch;
using Resilience.Checkpointing;
using Resilience.CircuitBreaker;
using Resilience.DeadLetter;
using Resilience.Retry;

namespace Resilience.Samples.StreamConsumer;

/// <summary>
/// Consumes every partition of the event log from its committed offset: validates each event (too large, not JSON,
/// missing fields: dead-lettered with the matching reason), writes valid ones to the flaky sink through retry and a
/// circuit breaker (still failing: dead-lettered), and marks each event done in its partition's tracker, whose
/// in-order position is what the checkpoint commits. Events handled before a crash but after the last commit are seen
/// again on restart and skipped: the sink knows their ids, the dead letter queue their positions.
/// </summary>
public sealed class StreamConsumer
{
    public const string Stream = "events";
    public const string ConsumerGroup = "sample-consumer";
    public const string OperationType = "stream-event";

    private readonly string _root;
    private readonly DeadLetterQueue _deadLetters;
    private readonly IdempotentFileSink _sink;
    private readonly ResiliencePipeline _sinkPipeline;
    private readonly ConcurrentDictionary<string, bool> _deadLettered;
    private readonly TextWriter _output;
    private int _written;
    private int _deadLetteredNow;

    private StreamConsumer(string root, DeadLetterQueue deadLetters, IdempotentFileSink sink, TextWriter output)
    {
        _root = root;
        _deadLetters = deadLetters;
        _sink = sink;
        _output = output;
        _deadLettered = LoadDeadLetteredKeys(deadLetters);
        _sinkPipeline = new ResiliencePipelineBuilder { Name = "sink" }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1), ShouldHandle = Handle.Exception<IOException>() })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.9,
                MinimumThroughput = 20,
                SamplingDuration = TimeSpan.FromSeconds(1),
                BreakDuration = TimeSpan.FromMilliseconds(50),
                ShouldHandle = Handle.Exception<IOException>(),
            })
            .Build();
    }

    public static async Task<int> RunAsync(string root, int seed, double failureRate, TextWriter output)
    {
        // Disposed in reverse: the manager's last commit first, then the checkpoint directory, the sink, the queue.
        await using var deadLetters = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = Path.Combine(root, "dlq") });
        using var sink = new IdempotentFileSink(Path.Combine(root, "sink.log"), seed, failureRate);
        using var store = FileCheckpointStore.Open(new FileCheckpointStoreOptions
        {
            Directory = Path.Combine(root, "checkpoints"),
            OnCorruption = c => output.WriteLine($"CORRUPTED {c.Path}: {c.Error}; resumed from generation {c.FallbackGeneration}"),
        });
        await using var checkpoints = await CheckpointManager.OpenAsync(new CrashPointStore(store), new CheckpointManagerOptions
        {
            ConsumerGroup = ConsumerGroup,
            AutoCommitInterval = TimeSpan.FromMilliseconds(20),
        });

        var consumer = new StreamConsumer(root, deadLetters, sink, output);
        var partitions = EventLog.CountPartitions(root);
        for (var p = 0; p < partitions; p++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESUME {p} {checkpoints.GetCommittedOffset(Stream, p) ?? 0}"));
        }

        output.WriteLine("READY");
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => consumer.ConsumePartitionAsync(checkpoints, p)));
        await checkpoints.CommitAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"END written={consumer._written} deadLettered={consumer._deadLetteredNow} sink={sink.Count} generation={checkpoints.Generation}"));
        return 0;
    }

    private async Task ConsumePartitionAsync(CheckpointManager checkpoints, int partition)
    {
        var tracker = checkpoints.Track(Stream, partition);
        var from = tracker.DoneUpTo;
        var progress = new PartitionProgress(_output, partition, checkpoints);
        var result = await ResiliencePipeline.Empty.ExecuteBatchAsync(
            Started(EventLog.ReadFrom(_root, partition, from), tracker),
            async (raw, ct) =>
            {
                var outcome = await HandleAsync(raw, ct);
                tracker.Complete(raw.Offset);
                CrashPoints.Reach($"done {raw.Key}");
                return outcome;
            },
            new BatchOptions<RawEvent> { MaxDegreeOfParallelism = 4, Progress = progress });

        // A failure here is one the queue itself refused (full, disk error): the event stays unfinished, so the
        // checkpoint stops before it and the next run handles it again.
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"partition {partition}: {result.Succeeded.Count} events handled from offset {from}"));
        foreach (var failure in result.Failed)
        {
            _output.WriteLine($"UNFINISHED {failure.Item.Key}: {failure.Exception.Message}");
        }
    }

    // Items start in offset order, as the batch reads its input in order, one at a time.
    private static IEnumerable<RawEvent> Started(IEnumerable<RawEvent> events, CheckpointPartitionTracker tracker)
    {
        foreach (var raw in events)
        {
            tracker.Start(raw.Offset);
            yield return raw;
        }
    }

    private async ValueTask<string> HandleAsync(RawEvent raw, CancellationToken cancellationToken)
    {
        if (_deadLettered.ContainsKey(raw.Key))
        {
            return "already dead-lettered";
        }

        var size = Encoding.UTF8.GetByteCount(raw.Line);
        if (size > EventLog.MaxEventBytes)
        {
            return await DeadLetterAsync(raw, new InvalidDataException($"The event is {size} bytes; at most {EventLog.MaxEventBytes} are accepted."), DeadLetterFailureReason.Oversized);
        }

        StreamEvent? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(raw.Line, EventJsonContext.Default.StreamEvent);
        }
        catch (JsonException ex)
        {
            return await DeadLetterAsync(raw, ex, DeadLetterFailureReason.CorruptedData);
        }

        if (parsed is not { Id.Length: > 0, Amount: not null })
        {
            return await DeadLetterAsync(raw, new InvalidDataException("The event has no id or no amount."), DeadLetterFailureReason.InvalidSchema);
        }

        if (_sink.Contains(parsed.Id))
        {
            return "already written";
        }

        var written = await _sinkPipeline.ExecuteOutcomeAsync(
            static (state, _) => new ValueTask<bool>(state.Sink.Write(state.Id)),
            (Sink: _sink, parsed.Id),
            cancellationToken);
        if (written.Exception is { } failure)
        {
            var reason = failure is ExecutionRejectedException ? DeadLetterFailureReason.Rejected : DeadLetterFailureReason.MaxRetriesExceeded;
            return await DeadLetterAsync(raw, failure, reason);
        }

        Interlocked.Increment(ref _written);
        CrashPoints.Reach($"sink {parsed.Id}");
        return "written";
    }

    private async ValueTask<string> DeadLetterAsync(RawEvent raw, Exception exception, DeadLetterFailureReason reason)
    {
        var context = new Dictionary<string, string>
        {
            ["event"] = raw.Key,
            ["partition"] = raw.Partition.ToString(CultureInfo.InvariantCulture),
            ["offset"] = raw.Offset.ToString(CultureInfo.InvariantCulture),
        };

        // Durable when it returns; only then is the event done, so a crash before this line replays it.
        await _deadLetters.AddAsync(OperationType, JsonSerializer.SerializeToUtf8Bytes(raw, EventJsonContext.Default.RawEvent), exception, reason, context, CancellationToken.None);
        _deadLettered[raw.Key] = true;
        Interlocked.Increment(ref _deadLetteredNow);
        CrashPoints.Reach($"dead-lettered {raw.Key}");
        return "dead-lettered " + reason;
    }

    private static ConcurrentDictionary<string, bool> LoadDeadLetteredKeys(DeadLetterQueue queue)
    {
        var keys = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        for (var skip = 0; ; skip += 1000)
        {
            var page = queue.Query(new DeadLetterQuery { OperationType = OperationType, Skip = skip, Take = 1000 });
            foreach (var entry in page.Entries)
            {
                if (entry.Context.TryGetValue("event", out var key))
                {
                    keys[key] = true;
                }
            }

            if (page.Entries.Count < 1000)
            {
                return keys;
            }
        }
    }

    /// <summary>Prints a partition's progress every 50 events done.</summary>
    private sealed class PartitionProgress(TextWriter output, int partition, CheckpointManager checkpoints) : IProgress<BatchProgress>
    {
        private readonly Lock _lock = new();
        private int _printed;

        public void Report(BatchProgress value)
        {
            var step = value.Done / 50;
            lock (_lock)
            {
                if (step <= _printed)
                {
                    return;
                }

                _printed = step;
            }

            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress p{partition}: {value.Done} done ({value.Failed} unfinished, {value.InFlight} in flight), committed {checkpoints.GetCommittedOffset(Stream, partition) ?? 0}, lag {checkpoints.GetLag(Stream, partition)}"));
            }
        }
    }
}
