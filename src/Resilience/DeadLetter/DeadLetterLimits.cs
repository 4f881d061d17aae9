using System.Buffers;
using System.Globalization;

namespace Resilience.DeadLetter;

/// <summary>
/// The limits every store enforces on a whole entry, so that any entry a store accepts fits a record of the file
/// format (whose maximum size is fixed) and no input can make an entry unbounded. The queue cuts error text to these
/// lengths (with a marker, never inside a surrogate pair); stores refuse anything larger.
/// </summary>
public static class DeadLetterLimits
{
    /// <summary>The largest payload any store accepts (32 MiB); <c>MaxPayloadBytes</c> options may only lower it.</summary>
    public const int MaxPayloadBytes = 32 * 1024 * 1024;

    /// <summary>The longest operation type, in characters; control characters are refused.</summary>
    public const int MaxOperationTypeLength = 256;

    /// <summary>The most context entries.</summary>
    public const int MaxContextEntries = 64;

    /// <summary>The longest context key, in characters.</summary>
    public const int MaxContextKeyLength = 256;

    /// <summary>The longest context value, in characters.</summary>
    public const int MaxContextValueLength = 4096;

    /// <summary>The longest error type name, in characters.</summary>
    public const int MaxErrorTypeLength = 1024;

    /// <summary>The longest error message, in characters.</summary>
    public const int MaxErrorMessageLength = 4096;

    /// <summary>The longest stack trace, in characters.</summary>
    public const int MaxStackTraceLength = 16 * 1024;

    /// <summary>The marker that ends text cut to a limit.</summary>
    public const string TruncationMarker = "…[truncated]";

    // One precomputed search: checked on every write (the generic range search allocated on each call here).
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>
    /// Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> characters, ending with
    /// <see cref="TruncationMarker"/> when it was cut, and never between the halves of a surrogate pair.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">The most characters to keep, marker included.</param>
    /// <returns>The text, cut if needed.</returns>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, TruncationMarker.Length);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var keep = maxLength - TruncationMarker.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), TruncationMarker);
    }

    /// <summary>
    /// Gets the bytes an entry takes when stored (its encoded record: payload, context, error text and fields), the
    /// measure <c>DeadLetterQueueOptions.MaxBytes</c> counts; every store reports it the same way.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <returns>The encoded size in bytes.</returns>
    public static long EncodedSize(DeadLetterEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Internal.LogFormat.RecordSize(Internal.RecordCodec.PutBodySize(entry));
    }

    /// <summary>Checks an entry against every limit; throws <see cref="DeadLetterRejectedException"/> naming the one it breaks.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="maxPayloadBytes">The store's payload limit (at most <see cref="MaxPayloadBytes"/>).</param>
    /// <param name="payloadOption">The option that set it, for the message.</param>
    /// <exception cref="DeadLetterRejectedException">The entry breaks a limit (reason <see cref="DeadLetterFailureReason.Oversized"/>).</exception>
    public static void Validate(DeadLetterEntry entry, int maxPayloadBytes, string payloadOption)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrEmpty(entry.Id) || entry.Id.Length > MaxOperationTypeLength)
        {
            throw Rejected(entry, $"its id must be 1 to {MaxOperationTypeLength} characters");
        }

        if (entry.Payload.Length > maxPayloadBytes)
        {
            throw Rejected(entry, $"its payload is {entry.Payload.Length} bytes; at most {maxPayloadBytes} are accepted ({payloadOption})");
        }

        CheckText(entry, entry.OperationType, MaxOperationTypeLength, "operation type", "DeadLetterLimits.MaxOperationTypeLength", noControl: true);
        ArgumentNullException.ThrowIfNull(entry.Error);
        CheckText(entry, entry.Error.Type, MaxErrorTypeLength, "error type", "DeadLetterLimits.MaxErrorTypeLength", noControl: false);
        CheckText(entry, entry.Error.Message, MaxErrorMessageLength, "error message", "DeadLetterLimits.MaxErrorMessageLength", noControl: false);
        if (entry.Error.StackTrace is not null)
        {
            CheckText(entry, entry.Error.StackTrace, MaxStackTraceLength, "stack trace", "DeadLetterLimits.MaxStackTraceLength", noControl: false);
        }

        var context = entry.Context ?? throw Rejected(entry, "its context is null");
        if (context.Count > MaxContextEntries)
        {
            throw Rejected(entry, $"its context has {context.Count} entries; at most {MaxContextEntries} are accepted (DeadLetterLimits.MaxContextEntries)");
        }

        if (context.Count > 0)
        {
            foreach (var pair in context)
            {
                CheckText(entry, pair.Key, MaxContextKeyLength, "context key", "DeadLetterLimits.MaxContextKeyLength", noControl: true);
                CheckText(entry, pair.Value ?? throw Rejected(entry, $"its context value for '{pair.Key}' is null"), MaxContextValueLength, $"context value of '{pair.Key}'", "DeadLetterLimits.MaxContextValueLength", noControl: false);
            }
        }
    }

    private static void CheckText(DeadLetterEntry entry, string? text, int max, string what, string limit, bool noControl)
    {
        if (text is null)
        {
            throw Rejected(entry, $"its {what} is null");
        }

        if (text.Length > max)
        {
            throw Rejected(entry, string.Create(CultureInfo.InvariantCulture, $"its {what} is {text.Length} characters; at most {max} are accepted ({limit})"));
        }

        if (noControl && (text.Length == 0 || text.AsSpan().ContainsAny(ControlCharacters)))
        {
            throw Rejected(entry, $"its {what} is empty or holds a control character");
        }
    }

    private static DeadLetterRejectedException Rejected(DeadLetterEntry entry, string why)
        => new($"Dead letter entry '{entry.Id}' is refused: {why}.", DeadLetterFailureReason.Oversized);
}
