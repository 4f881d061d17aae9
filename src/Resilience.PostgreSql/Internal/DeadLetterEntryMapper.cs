using Npgsql;
using NpgsqlTypes;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// The one place that maps <see cref="DeadLetterEntry"/> fields to columns and back. A new entry field is added here
/// (read and write) plus one <c>ADD COLUMN</c> step in <see cref="DeadLetterSchema"/>; no SQL elsewhere names a field.
/// </summary>
internal static class DeadLetterEntryMapper
{
    /// <summary>The columns every read selects, in the order <see cref="Read"/> expects.</summary>
    public const string SelectColumns =
        "id, operation_type, created_at, updated_at, error_type, error_message, error_stack_trace, error_reason, "
        + "payload, context_keys, context_values, attempt_count, max_attempts, next_attempt_at, status, version, "
        + "failure_group, first_failed_at, last_failed_at, replay_count, last_replayed_at";

    /// <summary>Gets <see cref="SelectColumns"/> qualified with a table alias (for statements that join).</summary>
    public static string SelectColumnsOf(string alias) => string.Join(", ", SelectColumns.Split(", ").Select(column => alias + "." + column));

    /// <summary>The columns a write sets (the store sets <c>version</c> itself), in the order <see cref="AddValues"/> adds them.</summary>
    public static readonly string[] WriteColumns =
    [
        "id", "operation_type", "created_at", "updated_at", "error_type", "error_message", "error_stack_trace",
        "error_reason", "payload", "context_keys", "context_values", "attempt_count", "max_attempts", "next_attempt_at",
        "status", "size_bytes", "failure_group", "first_failed_at", "last_failed_at", "replay_count", "last_replayed_at",
    ];

    /// <summary>Adds an entry's values as positional parameters, in <see cref="WriteColumns"/> order.</summary>
    public static void AddValues(NpgsqlParameterCollection parameters, DeadLetterEntry entry)
    {
        var keys = new string[entry.Context.Count];
        var values = new string[entry.Context.Count];
        var i = 0;
        foreach (var pair in entry.Context)
        {
            keys[i] = pair.Key;
            values[i] = pair.Value;
            i++;
        }

        parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Id });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.OperationType });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.CreatedAt.ToUniversalTime() });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.UpdatedAt.ToUniversalTime() });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Error.Type });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Error.Message });
        parameters.Add(new NpgsqlParameter { Value = (object?)entry.Error.StackTrace ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)entry.Error.Reason });
        parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = entry.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<string[]> { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.AttemptCount });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.MaxAttempts });
        parameters.Add(OptionalTime(entry.NextAttemptAt));
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Status });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = DeadLetterLimits.EncodedSize(entry) });
        parameters.Add(new NpgsqlParameter { Value = (object?)entry.FailureGroup ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(OptionalTime(entry.FirstFailedAt));
        parameters.Add(OptionalTime(entry.LastFailedAt));
        parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.ReplayCount });
        parameters.Add(OptionalTime(entry.LastReplayedAt));
    }

    /// <summary>Reads the entry at the reader's current row (selected with <see cref="SelectColumns"/>).</summary>
    public static DeadLetterEntry Read(NpgsqlDataReader reader)
    {
        var keys = reader.GetFieldValue<string[]>(9);
        var values = reader.GetFieldValue<string[]>(10);
        var context = new Dictionary<string, string>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            context[keys[i]] = values[i];
        }

        return new DeadLetterEntry
        {
            Id = reader.GetString(0),
            OperationType = reader.GetString(1),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(2),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(3),
            Error = new DeadLetterError
            {
                Type = reader.GetString(4),
                Message = reader.GetString(5),
                StackTrace = reader.IsDBNull(6) ? null : reader.GetString(6),
                Reason = (DeadLetterFailureReason)reader.GetInt32(7),
            },
            Payload = reader.GetFieldValue<byte[]>(8),
            Context = context,
            AttemptCount = reader.GetInt32(11),
            MaxAttempts = reader.GetInt32(12),
            NextAttemptAt = OptionalTime(reader, 13),
            Status = (DeadLetterStatus)reader.GetInt16(14),
            Version = reader.GetInt64(15),
            FailureGroup = reader.IsDBNull(16) ? null : reader.GetString(16),
            FirstFailedAt = OptionalTime(reader, 17),
            LastFailedAt = OptionalTime(reader, 18),
            ReplayCount = reader.GetInt32(19),
            LastReplayedAt = OptionalTime(reader, 20),
        };
    }

    private static NpgsqlParameter OptionalTime(DateTimeOffset? time) => time is { } value
        ? new NpgsqlParameter<DateTimeOffset> { TypedValue = value.ToUniversalTime() }
        : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static DateTimeOffset? OptionalTime(NpgsqlDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>
    /// Refuses what PostgreSQL text cannot hold (the NUL character), naming the field, before anything is sent; the
    /// other limits are <see cref="DeadLetterLimits.Validate"/>'s.
    /// </summary>
    public static void CheckStorable(DeadLetterEntry entry)
    {
        Check(entry, entry.Error.Message, "error message");
        Check(entry, entry.Error.StackTrace, "stack trace");
        foreach (var pair in entry.Context)
        {
            Check(entry, pair.Value, $"context value of '{pair.Key}'");
        }

        static void Check(DeadLetterEntry entry, string? text, string what)
        {
            if (text is not null && text.Contains('\0', StringComparison.Ordinal))
            {
                throw new DeadLetterRejectedException(
                    $"Dead letter entry '{entry.Id}' is refused: its {what} holds a NUL character, which PostgreSQL text cannot store.",
                    DeadLetterFailureReason.Oversized);
            }
        }
    }
}
