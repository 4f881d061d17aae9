using System.Buffers;
using System.Text.Json;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Recovery.Internal;

/// <summary>
/// The persisted form of a <see cref="RecoveryHistory"/>, on the dead letter store's log engine (checksummed
/// segments, group commit, crash recovery, compaction): one record per finished run, a JSON document, replayed into
/// the history at open through the same function that adds a run live once its record is durable.
/// </summary>
/// <remarks>
/// The only file of Recovery that touches the log engine. Runs beyond the history's bound are dropped from memory
/// and left out of the next snapshot, so the files stay proportional to what the history keeps.
/// </remarks>
internal sealed class RecoveryHistoryJournal : ILogStateMachine, IAsyncDisposable
{
    // Bounds a record whatever a step's exception says: messages are cut, the run's step list is the workflow's own.
    private const int MaxMessageChars = 4096;
    private const int MaxNameChars = 1024;

    private readonly RecoveryHistory _history;
    private SegmentLog _log = null!;

    private RecoveryHistoryJournal(RecoveryHistory history) => _history = history;

    long ILogStateMachine.LiveBytes => _history.LiveBytes;

    public static RecoveryHistoryJournal Open(RecoveryHistory history, string directory, TimeProvider timeProvider, DurabilityMode durability)
    {
        var journal = new RecoveryHistoryJournal(history);
        journal._log = SegmentLog.Open(
            new LogOptions
            {
                Directory = directory,
                TimeProvider = timeProvider,
                Durability = durability,
                CorruptionHandling = CorruptionHandling.Strict,
                SegmentSize = 4L * 1024 * 1024,
                CompactionThreshold = 1024 * 1024,
                Description = "recovery history",
            },
            LogFileSystem.Default,
            journal);
        return journal;
    }

    /// <summary>Makes the run durable, then adds it to the history (in log order).</summary>
    public Task AppendAsync(RecoveryRunRecord run)
    {
        var record = Encode(run, out var size);
        return _log.AppendAsync([record], _ => _history.AddCore(run, size));
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    void ILogStateMachine.Replay(RecordType type, ulong sequence, ReadOnlySpan<byte> body)
    {
        if (type != RecordType.RecoveryRun)
        {
            throw new FormatException($"Record type {(byte)type} does not belong in a recovery history.");
        }

        _history.AddCore(Decode(body), LogFormat.RecordSize(body.Length));
    }

    void ILogStateMachine.Reset() => _history.Clear();

    IEnumerable<EncodedRecord> ILogStateMachine.CaptureSnapshot()
    {
        // Copied now, encoded as the snapshot is written (records are immutable once finished).
        var runs = _history.AllRunsOldestFirst();
        return runs.Select(run => Encode(run, out _));
    }

    private static EncodedRecord Encode(RecoveryRunRecord run, out int size)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", run.RunId);
            json.WriteString("workflow", run.WorkflowName);
            json.WriteNumber("trigger", (int)run.Trigger);
            WriteOptional(json, "by", run.TriggeredBy, MaxNameChars);
            json.WriteNumber("start", run.StartedAt.UtcTicks);
            json.WriteNumber("end", run.EndedAt.UtcTicks);
            json.WriteNumber("state", (int)run.State);
            WriteFailure(json, "error", run.Error);
            json.WriteStartArray("steps");
            foreach (var step in run.Steps)
            {
                json.WriteStartObject();
                json.WriteString("name", step.Name);
                json.WriteBoolean("optional", step.Optional);
                json.WriteNumber("status", (int)step.Status);
                json.WriteNumber("attempts", step.Attempts);
                if (step.StartedAt is { } started)
                {
                    json.WriteNumber("start", started.UtcTicks);
                }

                json.WriteNumber("duration", step.Duration.Ticks);
                WriteFailure(json, "error", step.Error);
                json.WriteNumber("compensation", (int)step.Compensation);
                WriteFailure(json, "compensationError", step.CompensationError);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var record = EncodedRecord.Create(RecordType.RecoveryRun, buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(record.Body);
        size = record.Size;
        return record;
    }

    private static RecoveryRunRecord Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var steps = new List<RecoveryStepRecord>();
            foreach (var step in root.GetProperty("steps").EnumerateArray())
            {
                var record = new RecoveryStepRecord(
                    step.GetProperty("name").GetString()!,
                    step.GetProperty("optional").GetBoolean(),
                    (RecoveryStepStatus)step.GetProperty("status").GetInt32(),
                    step.GetProperty("attempts").GetInt32(),
                    step.TryGetProperty("start", out var started) ? Time(started) : null,
                    TimeSpan.FromTicks(step.GetProperty("duration").GetInt64()),
                    ReadFailure(step, "error"));
                record.Restore((RecoveryCompensationStatus)step.GetProperty("compensation").GetInt32(), ReadFailure(step, "compensationError"));
                steps.Add(record);
            }

            return new RecoveryRunRecord(
                root.GetProperty("id").GetString()!,
                root.GetProperty("workflow").GetString()!,
                (RecoveryTrigger)root.GetProperty("trigger").GetInt32(),
                root.TryGetProperty("by", out var by) ? by.GetString() : null,
                Time(root.GetProperty("start")),
                Time(root.GetProperty("end")),
                (RecoveryRunState)root.GetProperty("state").GetInt32(),
                steps,
                ReadFailure(root, "error"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException or FormatException)
        {
            // Checksummed, so written this way by a version of this code: a document that does not read is not a run.
            throw new FormatException("A recovery history record is not a valid run document.", ex);
        }
    }

    private static DateTimeOffset Time(JsonElement ticks) => new(ticks.GetInt64(), TimeSpan.Zero);

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value, int maxChars)
    {
        if (value is not null)
        {
            json.WriteString(name, value.Length <= maxChars ? value : value[..maxChars]);
        }
    }

    private static void WriteFailure(Utf8JsonWriter json, string name, Exception? failure)
    {
        if (failure is null)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("type", failure is RecordedRecoveryFailureException recorded ? recorded.OriginalType : Cut(failure.GetType().FullName ?? failure.GetType().Name, MaxNameChars));
        json.WriteString("message", Cut(failure.Message, MaxMessageChars));
        json.WriteEndObject();
    }

    private static RecordedRecoveryFailureException? ReadFailure(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var failure)
            ? new RecordedRecoveryFailureException(failure.GetProperty("type").GetString()!, failure.GetProperty("message").GetString()!)
            : null;

    private static string Cut(string value, int maxChars) => value.Length <= maxChars ? value : value[..maxChars];
}
